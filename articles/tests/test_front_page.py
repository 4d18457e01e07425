"""The front page: a main headline and up to six editor's picks per language, in order."""

import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import Article, FrontPagePick
from articles.services import store_renditions
from articles.tests.pages import page_text


def main_column(response):
    """Return the page's <main>, where the headline, the picks and "Son xəbərlər" are."""
    html = response.content.decode()
    return html[html.index('<main id="content"') : html.index("</main>")]


def order_on(html, titles):
    return sorted(titles, key=html.index)


def test_the_main_headline_comes_first_then_the_picks_then_the_latest_news(client, make_article):
    main = make_article(title="Günün manşeti", lead="Manşetin girişi.")
    first = make_article(title="Birinci seçim")
    second = make_article(title="İkinci seçim")
    make_article(title="Adi xəbər")
    FrontPagePick.objects.create(article=second)
    FrontPagePick.objects.create(article=first)
    FrontPagePick.objects.create(article=main, is_main=True)

    html = main_column(client.get("/"))

    assert html.index("Günün manşeti") < html.index("Manşetin girişi.")
    assert order_on(html, ["Günün manşeti", "İkinci seçim", "Birinci seçim", "Son xəbərlər"]) == [
        "Günün manşeti",
        "İkinci seçim",
        "Birinci seçim",
        "Son xəbərlər",
    ]
    assert html.index("Redaktor seçimi") < html.index("Son xəbərlər")


def test_the_main_headline_shows_its_picture_first_in_widths(
    client, make_article, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 900), (30, 120, 200)).save(buffer, "JPEG")
    main = make_article(title="Şəkilli manşet", image_caption="Bakı bulvarı")
    main.image.save("manset.jpg", ContentFile(buffer.getvalue()))
    store_renditions(main)
    FrontPagePick.objects.create(article=main, is_main=True)

    html = main_column(client.get("/"))
    headline = html[html.index('class="front-main"') :].split("</article>")[0]

    stem = f"/media/renditions/{main.image.name}"
    assert f"{stem}.320.webp 320w, {stem}.640.webp 640w, {stem}.1280.webp 1280w" in headline
    assert 'alt="Bakı bulvarı"' in headline and 'width="320" height="180"' in headline
    # The first thing a reader sees: fetched at once.
    assert 'fetchpriority="high"' in headline and 'loading="lazy"' not in headline
    assert headline.index("<picture>") < headline.index("Şəkilli manşet")


def test_without_picks_the_home_page_is_as_before(client, make_article):
    make_article(title="Adi xəbər")

    html = main_column(client.get("/"))

    assert "Redaktor seçimi" not in html and "front-main" not in html
    assert "Adi xəbər" in html


def test_picks_appear_and_disappear_with_their_times(client, make_article):
    now = timezone.now()
    FrontPagePick.objects.create(article=make_article(title="Keçmiş seçim"), ends_at=now)
    FrontPagePick.objects.create(
        article=make_article(title="Gələcək seçim"), starts_at=now + timedelta(hours=1)
    )
    FrontPagePick.objects.create(
        article=make_article(title="İndiki seçim"),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )

    html = main_column(client.get("/"))
    picks = html[html.index("front-picks") : html.index("latest-news")]

    assert "İndiki seçim" in picks
    assert "Keçmiş seçim" not in picks and "Gələcək seçim" not in picks


def test_picks_of_unpublished_articles_and_of_the_other_language_are_not_shown(
    client, make_article
):
    FrontPagePick.objects.create(
        article=make_article(title="Qaralama seçim", status=Article.Status.DRAFT)
    )
    FrontPagePick.objects.create(
        article=make_article(title="Русский выбор", language="ru"), language="ru"
    )

    assert "Qaralama seçim" not in page_text(client.get("/"))
    assert "Русский выбор" not in page_text(client.get("/"))
    assert "Русский выбор" in main_column(client.get("/ru/"))
    assert "Выбор редакции" in page_text(client.get("/ru/"))


def test_a_front_page_holds_six_picks_and_articles_of_its_language(make_article):
    for _number in range(FrontPagePick.MAX_PICKS):
        FrontPagePick.objects.create(article=make_article())
    seventh = FrontPagePick(article=make_article())
    with pytest.raises(ValidationError, match="ən çoxu 6 seçim"):
        seventh.full_clean()
    FrontPagePick(article=make_article(), is_main=True).full_clean()  # the headline: not a pick

    russian = FrontPagePick(article=make_article(language="ru"), language="az")
    with pytest.raises(ValidationError, match="Ana səhifənin dilində"):
        russian.full_clean()


def test_editors_order_picks_with_buttons(client, editor, make_article):
    picks = [FrontPagePick.objects.create(article=make_article(title=f"Seçim {n}")) for n in "ABC"]
    client.force_login(editor)
    changelist = client.get(reverse("admin:articles_frontpagepick_changelist"))
    assert 'formaction="/admin/articles/frontpagepick/' in changelist.content.decode()

    client.post(reverse("admin:articles_frontpagepick_move", args=[picks[2].pk, "up"]))
    client.post(reverse("admin:articles_frontpagepick_move", args=[picks[2].pk, "up"]))
    client.post(reverse("admin:articles_frontpagepick_move", args=[picks[1].pk, "down"]))

    move = reverse("admin:articles_frontpagepick_move", args=[picks[0].pk, "up"])
    assert client.get(move).status_code == 405
    client.logout()
    html = main_column(client.get("/"))
    assert order_on(html, ["Seçim A", "Seçim B", "Seçim C"]) == ["Seçim C", "Seçim A", "Seçim B"]


@pytest.mark.parametrize("cached", [False, True], ids=["rendered", "fragments-cached"])
def test_home_with_a_headline_and_picks_stays_within_budget(client, make_article, settings, cached):
    if cached:
        settings.FRAGMENT_CACHE_SECONDS = 60
    FrontPagePick.objects.create(article=make_article(title="Manşet"), is_main=True)
    for number in range(FrontPagePick.MAX_PICKS):
        FrontPagePick.objects.create(article=make_article(title=f"Seçim {number}"))
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")

    assert "Seçim 5" in page_text(response)
    assert len(queries) <= (2 if cached else 6)
    assert re.search(r'class="front-main"', response.content.decode())
