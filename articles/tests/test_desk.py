"""The editors' desk: versions, two editors, pending changes, previews, scheduling in the list."""

import json
import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation

from articles.desk import preview
from articles.desk.versions import versions_of
from articles.models import Article, DailyViews, PendingChange
from articles.tests.factories import EditorFactory
from articles.tests.pages import BROWSER, form_data, page_text
from articles.text import format_datetime


def headline(response):
    return re.search(r'<h1 class="article-title">([^<]*)', response.content.decode()).group(1)


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def save(client, article, **changes):
    """Open the article's change page and save it with `changes`, as an editor's browser does."""
    page = client.get(change_url(article))
    return client.post(change_url(article), form_data(page, "article_form", **changes))


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_every_save_keeps_a_version_listed_in_the_editors_language(editor_client, make_article):
    article = make_article(title="Birinci başlıq", lead="Giriş")
    assert save(editor_client, article, title="İkinci başlıq").status_code == 302
    assert (
        save(editor_client, article, lead="Yeni giriş", body="<p>Yeni mətn</p>").status_code == 302
    )

    history = editor_client.get(reverse("admin:articles_article_history", args=[article.pk]))

    rows = re.findall(r'<td class="summary">([^<]*)</td>', history.content.decode())
    assert rows == ["Dəyişdirildi: Giriş və Mətn.", "Dəyişdirildi: Başlıq."]
    assert "redaktor" in page_text(history)

    with translation.override("ru"):
        russian = editor_client.get(reverse("admin:articles_article_history", args=[article.pk]))
    rows = re.findall(r'<td class="summary">([^<]*)</td>', russian.content.decode())
    assert rows == ["Изменено: Лид и Текст.", "Изменено: Заголовок."]


def test_an_unchanged_save_says_so(editor_client, make_article):
    article = make_article(title="Eyni qalan")
    save(editor_client, article)

    history = editor_client.get(reverse("admin:articles_article_history", args=[article.pk]))

    assert "Dəyişiklik etmədən yadda saxlanıldı." in page_text(history)


def test_the_difference_shows_title_lead_and_body_side_by_side(editor_client, make_article):
    article = make_article(title="Köhnə başlıq", body="<p>Birinci abzas.</p><p>İkinci abzas.</p>")
    save(editor_client, article)
    save(editor_client, article, title="Təzə başlıq")
    save(editor_client, article, body="<p>Birinci abzas.</p><p>Dəyişmiş abzas.</p>")
    versions = list(versions_of(article))

    response = editor_client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"from": versions[-1].pk, "to": versions[0].pk},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r"<h2>([^<]+)</h2>", html) == ["Başlıq", "Mətn"]
    text = page_text(response)
    assert "Köhnə" in text and "Təzə" in text
    assert "İkinci" in text and "Dəyişmiş" in text
    table = html.split('<table class="diff"')[2].split("</table>")[0]
    assert "&lt;p&gt;" not in table and "<p>" not in table  # text, not markup


def test_restoring_a_version_puts_its_text_back_and_keeps_the_counters(editor_client, make_article):
    article = make_article(title="İlk başlıq", lead="İlk giriş")
    save(editor_client, article)
    save(editor_client, article, title="Səhv başlıq", lead="Səhv giriş")
    Article.objects.filter(pk=article.pk).update(views=77)
    first = list(versions_of(article))[-1]

    response = editor_client.post(
        reverse("admin:articles_article_restore", args=[article.pk, first.pk]), follow=True
    )

    article.refresh_from_db()
    assert (article.title, article.lead, article.views) == ("İlk başlıq", "İlk giriş", 77)
    assert "tarixli versiya bərpa olundu." in page_text(response)
    assert len(versions_of(article)) == 3
    assert editor_client.get(article.get_absolute_url()).status_code == 200


def test_a_restore_needs_a_post(editor_client, make_article):
    article = make_article()
    save(editor_client, article)
    version = versions_of(article).first()
    url = reverse("admin:articles_article_restore", args=[article.pk, version.pk])

    assert editor_client.get(url).status_code == 405


def test_a_save_over_a_newer_version_is_refused_with_a_link_to_the_difference(client, make_article):
    article = make_article(title="Ortaq başlıq")
    first, second = EditorFactory(first_name="Aygün"), EditorFactory(first_name="Rauf")
    client.force_login(first)
    save(client, article)
    opened_by_first = client.get(change_url(article))
    client.force_login(second)
    assert save(client, article, title="Raufun başlığı").status_code == 302

    client.force_login(first)
    response = client.post(
        change_url(article), form_data(opened_by_first, "article_form", lead="Aygünün girişi")
    )

    assert response.status_code == 200
    text, html = page_text(response), response.content.decode()
    assert "Dəyişiklikləriniz yadda saxlanmadı" in text and "Rauf" in text
    link = re.search(r'<a href="(/admin/articles/article/\d+/history/compare/\?from=\d+)"', html)
    assert "Raufun başlığı" in page_text(client.get(link.group(1)))
    article.refresh_from_db()
    assert (article.title, article.lead) == ("Raufun başlığı", "")

    # Knowing it, the editor may save again: their version replaces the other.
    again = client.post(change_url(article), form_data(response, "article_form"))
    assert again.status_code == 302
    article.refresh_from_db()
    assert article.lead == "Aygünün girişi"


def test_a_bulk_publish_counts_as_a_newer_version(editor_client, make_article):
    article = make_article(status=Article.Status.DRAFT)
    page = editor_client.get(change_url(article))
    editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
    )

    response = editor_client.post(change_url(article), form_data(page, "article_form"))

    assert response.status_code == 200
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED


def test_opening_an_article_another_editor_has_open_shows_who_and_since_when(client, make_article):
    article = make_article()
    first, second = EditorFactory(first_name="Aygün"), EditorFactory(first_name="Rauf")
    client.force_login(first)
    client.get(change_url(article))
    opened = timezone.localtime().strftime("%H:%M")

    client.force_login(second)
    response = client.get(change_url(article))

    assert f"Aygün redaktə edir: məqaləni saat {opened} açıb." in page_text(response)
    with translation.override("ru"):
        russian = client.get(change_url(article))
    assert f"Aygün редактирует эту статью с {opened}." in page_text(russian)


def test_a_closed_tab_or_a_save_frees_the_article(client, make_article):
    article = make_article()
    first, second = EditorFactory(first_name="Aygün"), EditorFactory(first_name="Rauf")
    client.force_login(first)
    client.get(change_url(article))
    heartbeat = reverse("admin:articles_article_editing", args=[article.pk])
    assert client.post(heartbeat).json() == {"others": []}
    client.post(heartbeat, {"left": "1"})

    client.force_login(second)
    assert "redaktə edir" not in page_text(client.get(change_url(article)))
    assert save(client, article, title="Rauf saxladı").status_code == 302

    client.force_login(first)
    assert "Rauf redaktə edir" not in page_text(client.get(change_url(article)))


def test_a_note_not_renewed_expires(client, make_article, monkeypatch):
    article = make_article()
    first, second = EditorFactory(first_name="Aygün"), EditorFactory(first_name="Rauf")
    client.force_login(first)
    client.get(change_url(article))
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)

    client.force_login(second)

    assert "redaktə edir" not in page_text(client.get(change_url(article)))


# --- pending changes and previews --------------------------------------------------------------


def test_a_published_article_changed_as_a_pending_draft_goes_live_when_published(
    client, editor, make_article
):
    article = make_article(title="Dərc olunmuş başlıq")
    client.force_login(editor)
    page = client.get(change_url(article))
    assert 'value="Gözləyən dəyişiklik kimi saxla"' in page.content.decode()

    response = client.post(
        change_url(article),
        form_data(page, "article_form", title="Düzəldilmiş başlıq", _pending="1"),
        follow=True,
    )

    assert "Dəyişiklik gözləmədə saxlanıldı" in page_text(response)
    assert Article.objects.get(pk=article.pk).title == "Dərc olunmuş başlıq"
    assert PendingChange.objects.get(article=article).fields == {"title": "Düzəldilmiş başlıq"}
    client.logout()
    assert "Düzəldilmiş başlıq" not in page_text(client.get(article.get_absolute_url()))
    link = preview.preview_url(article, pending=True)
    shown = client.get(link)
    assert shown.status_code == 200
    assert '<h1 class="article-title">Düzəldilmiş başlıq' in shown.content.decode()
    assert "bu, gözləyən dəyişiklikdir" in page_text(shown)

    client.force_login(editor)
    client.post(reverse("admin:articles_article_publish_pending", args=[article.pk]))
    client.logout()
    assert "Düzəldilmiş başlıq" in page_text(client.get(article.get_absolute_url()))
    assert not PendingChange.objects.exists()
    assert client.get(link).status_code == 404  # the change is gone with its preview


def test_a_draft_offers_no_pending_change(editor_client, make_article):
    article = make_article(status=Article.Status.DRAFT)

    page = editor_client.get(change_url(article)).content.decode()
    assert "Gözləyən dəyişiklik kimi saxla" not in page


@pytest.mark.parametrize(
    "fields",
    [{"status": Article.Status.DRAFT}, {"published_at": timezone.now() + timedelta(days=1)}],
    ids=["draft", "scheduled"],
)
def test_a_preview_link_shows_the_article_uncounted_unindexed_to_anyone(
    client, make_article, settings, fields
):
    settings.PAGE_CACHE_SECONDS = 30
    settings.FRAGMENT_CACHE_SECONDS = 60
    article = make_article(title="Hələ gizli xəbər", **fields)
    assert client.get(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER).status_code == 404
    link = preview.preview_url(article)

    response = client.get(link, HTTP_USER_AGENT=BROWSER)

    assert response.status_code == 200
    assert "Hələ gizli xəbər" in page_text(response)
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    Article.objects.filter(pk=article.pk).update(title="Hələ gizli, düzəldilmiş")
    assert "Hələ gizli, düzəldilmiş" in page_text(client.get(link, HTTP_USER_AGENT=BROWSER))
    article.refresh_from_db()
    assert article.views == 0 and not DailyViews.objects.exists()


def test_a_forged_or_expired_preview_link_is_a_404(client, make_article, monkeypatch):
    article = make_article(status=Article.Status.DRAFT)
    link = preview.preview_url(article)
    assert client.get(link.replace("/preview/", "/preview/x")).status_code == 404
    other = make_article(status=Article.Status.DRAFT)
    token = link.split("/")[-2]
    # The other article's id in place of this one's, under this one's signature.
    payload = signing.b64_encode(
        json.dumps({"a": other.pk, "p": 0}, separators=(",", ":")).encode()
    )
    forged = payload.decode() + token[token.index(":") :]
    assert forged != token
    assert client.get(f"/preview/{forged}/").status_code == 404
    assert client.get(preview.preview_url(other)).status_code == 200

    later = time.time() + preview.PREVIEW_SECONDS + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)

    assert client.get(link).status_code == 404


# --- scheduling in the article list ------------------------------------------------------------


def test_the_list_marks_scheduled_articles_with_their_time_and_filters_them(
    editor_client, make_article, editor
):
    when = timezone.now() + timedelta(days=2)
    scheduled = make_article(title="Sabahkı xəbər", published_at=when)
    make_article(title="Bugünkü xəbər")
    make_article(title="Qaralama xəbər", status=Article.Status.DRAFT)
    Article.objects.filter(pk=scheduled.pk).update(created_by=editor)
    changelist = reverse("admin:articles_article_changelist")

    text = page_text(editor_client.get(changelist))

    assert f"{format_datetime(when)} üçün planlaşdırılıb" in text
    assert "saytda" in text and "qaralama" in text

    only = page_text(editor_client.get(changelist, {"publication": "scheduled"}))
    assert "Sabahkı xəbər" in only and "Bugünkü xəbər" not in only and "Qaralama" not in only
    mine = page_text(editor_client.get(changelist, {"created_by__id__exact": editor.pk}))
    assert "Sabahkı xəbər" in mine and "Bugünkü xəbər" not in mine


def test_a_pending_preview_neither_reads_nor_fills_the_readers_cache(
    client, editor, make_article, settings
):
    settings.FRAGMENT_CACHE_SECONDS = 60
    settings.PAGE_CACHE_SECONDS = 30
    article = make_article(title="Oxucuların başlığı")
    PendingChange.objects.create(article=article, fields={"title": "Gözləyən başlıq"})
    assert headline(client.get(article.get_absolute_url())) == "Oxucuların başlığı"

    assert headline(client.get(preview.preview_url(article, pending=True))) == "Gözləyən başlıq"

    client.cookies.clear()
    again = client.get(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert headline(again) == "Oxucuların başlığı"


def test_a_pending_change_says_what_it_could_not_hold(editor_client, make_article):
    article = make_article(title="Bölməsiz xəbər")
    page = editor_client.get(change_url(article))

    response = editor_client.post(
        change_url(article),
        form_data(page, "article_form", title="Yeni ad", status="draft", _pending="1"),
        follow=True,
    )

    assert "yalnız mətni saxlayır; bu dəyişikliklər yadda saxlanmadı: Vəziyyət." in page_text(
        response
    )
    article.refresh_from_db()
    assert (article.title, article.status) == ("Bölməsiz xəbər", Article.Status.PUBLISHED)


def test_enter_in_a_field_still_saves_the_article(editor_client, make_article):
    """The form's first submit button is the one Enter presses: Django's Save, not the desk's."""
    article = make_article(live_coverage=Article.Coverage.OPEN)
    PendingChange.objects.create(article=article, fields={"title": "Gözləyən"})
    html = editor_client.get(change_url(article)).content.decode()
    form = html[html.index('id="article_form"') :]

    first = re.search(r'<(?:input|button)[^>]*type="submit"[^>]*>', form).group(0)

    assert 'name="_save"' in first
    assert "formaction" in form and form.index("formaction") > form.index(first)
