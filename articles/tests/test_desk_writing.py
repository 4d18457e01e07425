"""The editors' desk on the server: the body field, embeds, galleries, tags and related news."""

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from articles import embeds, related, stories
from articles.models import Article, ArticlePhoto, Story, Tag
from articles.templatetags.portal import iso_datetime, portal_date
from articles.tests.pages import ACCEPT, BROWSER, NO_GALLERY, page_text


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def form_data(article=None, **changes):
    """The article form as a browser posts it (the gallery inline empty)."""
    published = timezone.localtime(article.published_at if article else timezone.now())
    data = {
        **NO_GALLERY,
        "language": article.language if article else "az",
        "title": article.title if article else "Masa xəbəri",
        "slug": article.slug if article else "",
        "label": "",
        "lead": "",
        "body": article.body if article else "<p>Mətn</p>",
        "image_caption": "",
        "author_name": "",
        "author_position": "",
        "source": "",
        "source_url": "",
        "archived_at_0": "",
        "archived_at_1": "",
        "attribution_variant": "",
        "status": "published",
        "published_at_0": published.strftime("%Y-%m-%d"),
        "published_at_1": published.strftime("%H:%M:%S"),
        "category": "",
        "translation_link": "",
    }
    data.update(changes)
    return data


def jpeg(size=(1600, 900), color=(200, 80, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return SimpleUploadedFile("foto.jpg", buffer.getvalue(), content_type="image/jpeg")


# --- The body field ------------------------------------------------------------------------------


def test_the_article_form_opens_the_body_in_the_editor_with_its_assets_served_by_us(
    client, editor, make_article
):
    article = make_article(body="<p>İdxal olunmuş mətn</p>", source_url="https://525.az/x")
    client.force_login(editor)

    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()

    assert "data-body-editor" in html
    assert 'src="/static/js/desk/body_editor.js" type="module"' in html
    assert "/static/django_prose_editor/editor.css" in html
    assert "https://" not in html.split("<body")[0].replace("https://525.az", "")


def test_saving_an_unchanged_body_sent_with_crlf_changes_nothing(admin_client, make_article):
    article = make_article(body="<p>Birinci abzas.</p>\n<p>İkinci abzas.</p>")
    url = reverse("admin:articles_article_change", args=[article.pk])

    response = admin_client.post(url, form_data(article, body=article.body.replace("\n", "\r\n")))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "<p>Birinci abzas.</p>\n<p>İkinci abzas.</p>"
    history = admin_client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert "Body" not in page_text(history) and "Mətn" not in page_text(history)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("az", "Mətn oxucu səhifələrində ola bilməyən hissələr olmadan saxlanıldı"),
        ("ru", "Текст сохранён без того, что не допускается на страницах для читателей"),
    ],
)
def test_the_editor_is_told_in_their_language_what_sanitising_removed(
    admin_client, make_article, language, expected
):
    article = make_article(body="<p>Köhnə</p>")
    prefix = "/ru" if language == "ru" else ""
    body = '<p style="color:red" onclick="x()">Yeni</p><script>alert(1)</script><iframe></iframe>'

    response = admin_client.post(
        f"{prefix}/admin/articles/article/{article.pk}/change/",
        form_data(article, body=body),
        follow=True,
    )

    text = page_text(response)
    assert expected in text
    assert "<script>" in text and "<iframe>" in text
    article.refresh_from_db()
    assert article.body == "<p>Yeni</p>"


def test_a_clean_body_saves_without_a_warning(admin_client, make_article):
    article = make_article()
    response = admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        form_data(article, body="<h2>Başlıq</h2><p><strong>Qalın</strong> mətn</p>"),
        follow=True,
    )
    assert "ola bilməyən" not in page_text(response)


def test_the_editor_interface_is_translated_in_the_admin_catalogue(client, editor):
    client.force_login(editor)
    azerbaijani = client.get("/admin/jsi18n/").content.decode()
    russian = client.get("/ru/admin/jsi18n/").content.decode()
    # The catalogue is JSON with non-ASCII letters escaped.
    assert f'"Image URL": {json.dumps("Şəklin ünvanı")}' in azerbaijani
    assert f'"Image URL": {json.dumps("Адрес снимка")}' in russian


# --- Embeds --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "frame"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://www.instagram.com/p/C1a2B3c4D5e/", "https://www.instagram.com/p/C1a2B3c4D5e/embed/"),
        ("https://x.com/azertag/status/1865432101234567890", "https://platform.twitter.com/embed/Tweet.html?id=1865432101234567890"),
        ("https://twitter.com/azertag/status/17", "https://platform.twitter.com/embed/Tweet.html?id=17"),
        ("https://www.facebook.com/azertag/posts/pfbid02abc", "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fazertag%2Fposts%2Fpfbid02abc"),
        ("https://t.me/azertag/12345", "https://t.me/azertag/12345?embed=1"),
    ],
)  # fmt: skip
def test_links_of_the_allowed_providers_become_embeds(link, frame):
    embed = embeds.embed_for(link)
    assert embed is not None and embed.frame_url.startswith(frame)
    assert any(embed.frame_url.startswith(host + "/") for host in embeds.FRAME_HOSTS)


@pytest.mark.parametrize(
    "link",
    [
        "https://example.com/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.az/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)//youtube.com/watch?v=x",
        "https://www.youtube.com/channel/UC123",
        "https://t.me/azertag",
    ],
)
def test_other_links_stay_links(link):
    assert embeds.embed_for(link) is None


def test_only_a_link_on_its_own_paragraph_is_embedded():
    body = (
        '<p><a href="https://youtu.be/dQw4w9WgXcQ" rel="noopener nofollow">'
        "https://youtu.be/dQw4w9WgXcQ</a></p>"
        "<p>https://t.me/azertag/12345</p>"
        '<p>Bax: <a href="https://youtu.be/aaaaaaaaaaa">video</a> burada.</p>'
        '<p><a href="https://youtu.be/bbbbbbbbbbb">bu videoya</a></p>'
    )
    with translation.override("az"):
        html = embeds.with_embeds(body)
    assert html.count('class="embed ') == 2
    assert 'href="https://youtu.be/aaaaaaaaaaa">video</a> burada.' in html
    assert 'href="https://youtu.be/bbbbbbbbbbb">bu videoya</a>' in html


@pytest.mark.parametrize(
    ("language", "action"), [("az", "Videonu izləyin"), ("ru", "Смотреть видео")]
)
def test_readers_get_a_click_to_load_placeholder_and_no_third_party_request(
    client, make_article, language, action
):
    article = make_article(
        language=language,
        body='<p>Mətn.</p><p><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">'
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ</a></p>",
    )

    response = client.get(article.get_absolute_url())
    html = response.content.decode()

    assert action in page_text(response)
    assert 'data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"' in html
    # Without JavaScript it is a link to the video; nothing loads from YouTube by itself.
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html
    assert "<iframe" not in html and '<script src="https' not in html
    policy = response["Content-Security-Policy"]
    frame_src = next(part for part in policy.split("; ") if part.startswith("frame-src"))
    assert frame_src.split()[1:] == list(embeds.FRAME_HOSTS)
    assert "script-src 'self'" in policy


# --- Galleries -----------------------------------------------------------------------------------


def test_a_gallery_is_edited_inline_in_order_and_shown_with_srcset(
    admin_client, make_article, client
):
    article = make_article(title="Bakı bulvarı FOTOLAR")
    data = form_data(
        article,
        **{
            "photos-TOTAL_FORMS": "2",
            "photos-INITIAL_FORMS": "0",
            "photos-0-image": jpeg(color=(10, 10, 10)),
            "photos-0-alt_text": "Dənizə baxan skamyalar",
            "photos-0-caption": "Bulvarda səhər",
            "photos-0-position": "2",
            "photos-1-image": jpeg(color=(250, 250, 250)),
            "photos-1-alt_text": "Qız qalası önündə turistlər",
            "photos-1-caption": "",
            "photos-1-position": "1",
        },
    )

    response = admin_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)

    assert response.status_code == 302, page_text(response)[:2000]
    article.refresh_from_db()
    assert article.photo_count == 2
    html = client.get(article.get_absolute_url()).content.decode()
    first, second = html.index("Qız qalası önündə turistlər"), html.index("Dənizə baxan skamyalar")
    assert first < second  # position 1 before position 2
    assert "Bulvarda səhər" in html and "Fotolar" in html
    assert ".640.webp 640w" in html and ".1280.jpg 1280w" in html
    assert 'width="320" height="180"' in html


def test_a_gallery_picture_needs_alt_text_and_must_be_a_picture(admin_client, make_article):
    article = make_article()
    data = form_data(
        article,
        **{
            "photos-TOTAL_FORMS": "1",
            "photos-0-image": SimpleUploadedFile("x.jpg", b"not a picture"),
            "photos-0-alt_text": "",
            "photos-0-position": "0",
        },
    )
    response = admin_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 200
    assert not ArticlePhoto.objects.exists()


def test_the_gallery_stays_inside_the_article_page_budget(client, make_article):
    article = make_article()
    tag = Tag.objects.create(name="Bulvar")
    article.tags.add(tag)
    for position in range(3):
        photo = ArticlePhoto.objects.create(
            article=article, image=jpeg(), alt_text=f"Şəkil {position}", position=position
        )
        photo.save()
    Article.objects.filter(pk=article.pk).update(photo_count=3)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "Şəkil 2" in response.content.decode()
    assert len(queries) <= 8


# --- Tags ----------------------------------------------------------------------------------------


def main_text(response):
    """Return the HTML of the page's main column (the sidebar lists the latest news too)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def tagged(make_article):
    tag = Tag.objects.create(name="Qarabağ")
    az = make_article(title="Şuşada yeni məktəb açıldı", language="az")
    ru = make_article(title="В Шуше открылась новая школа", language="ru")
    other = make_article(title="Bakıda hava küləkli olacaq", language="az")
    draft = make_article(title="Hələ dərc olunmamış", status=Article.Status.DRAFT)
    for article in (az, ru, draft):
        article.tags.add(tag)
    return tag, az, ru, other


def test_a_tag_page_lists_its_articles_in_the_page_language(client, tagged):
    tag, az, ru, other = tagged

    azerbaijani = main_text(client.get(f"/tag/{tag.slug}/"))
    russian = main_text(client.get(f"/ru/tag/{tag.slug}/"))

    assert tag.slug == "qarabag"
    assert "Teq: Qarabağ" in azerbaijani
    assert az.title in azerbaijani
    assert other.title not in azerbaijani and ru.title not in azerbaijani
    assert "Hələ dərc olunmamış" not in azerbaijani
    assert "Тег: Qarabağ" in russian and ru.title in russian
    assert client.get("/tag/yoxdur/").status_code == 404


def test_a_tag_has_an_rss_feed_per_language(client, tagged):
    tag, az, ru, _other = tagged

    azerbaijani = client.get(f"/tag/{tag.slug}/rss/").content.decode()
    russian = client.get(f"/ru/tag/{tag.slug}/rss/").content.decode()

    assert "<rss" in azerbaijani and az.title in azerbaijani and ru.title not in azerbaijani
    assert ru.title in russian and az.title not in russian
    assert client.get(f"/tag/{tag.slug}/atom/").status_code == 200


def test_an_article_page_links_its_tags(client, tagged):
    tag, az, _ru, _other = tagged
    html = client.get(az.get_absolute_url()).content.decode()
    assert f'<a href="/tag/{tag.slug}/" rel="tag">Qarabağ</a>' in html


def test_editors_pick_tags_with_the_admins_autocomplete(admin_client, tagged):
    # The Editors group's rights on tags: test_admin.py (it runs before any database flush).
    tag, az, _ru, _other = tagged
    client = admin_client

    form = client.get(reverse("admin:articles_article_change", args=[az.pk])).content.decode()
    found = client.get(
        "/admin/autocomplete/",
        {"term": "qara", "app_label": "articles", "model_name": "article", "field_name": "tags"},
    ).json()

    assert 'class="admin-autocomplete' in form and 'name="tags"' in form
    assert [result["text"] for result in found["results"]] == ["Qarabağ"]


# --- Related news --------------------------------------------------------------------------------


def test_related_news_prefer_shared_tags_then_shared_words_within_the_weeks(client, make_article):
    now = timezone.now()
    tag = Tag.objects.create(name="Neft")
    article = make_article(title="Neft qiymətləri bu gün yenidən bahalaşdı", published_at=now)
    article.tags.add(tag)
    by_tag = make_article(title="OPEC+ hasilatı azaldır", published_at=now - timedelta(days=2))
    by_tag.tags.add(tag)
    by_words = make_article(
        title="Neft qiymətləri həftənin əvvəlində ucuzlaşdı", published_at=now - timedelta(days=1)
    )
    unrelated = make_article(title="Bakıda hava küləkli olacaq", published_at=now)
    too_old = make_article(title="Neft qiymətləri bahalaşdı", published_at=now - timedelta(days=60))
    too_old.tags.add(tag)
    russian = make_article(title="Цены на нефть выросли", language="ru", published_at=now)
    russian.tags.add(tag)

    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    section = html[html.index('class="related"') :].split("</section>")[0]

    assert "Oxşar xəbərlər" in page_text(response)
    assert section.index(by_tag.title) < section.index(by_words.title)
    for absent in (unrelated, too_old, russian):
        assert absent.title not in section
    # Each item shows its own time, as the article's page does.
    for shown in (by_tag, by_words):
        assert f'<time datetime="{iso_datetime(shown.published_at)}">' in section
        assert portal_date(shown.published_at) in section


@pytest.mark.parametrize("language", ["az", "ru"])
def test_related_news_alike_come_newest_first(client, make_article, language):
    now = timezone.now()
    tag = Tag.objects.create(name="Şuşa" if language == "az" else "Шуша")
    article = make_article(title="Xəbər" if language == "az" else "Новость", language=language)
    article.tags.add(tag)
    alike = []
    for days in (5, 1, 3):
        alike.append(make_article(language=language, published_at=now - timedelta(days=days)))
        alike[-1].tags.add(tag)

    section = client.get(article.get_absolute_url()).content.decode()
    section = section.split('class="related"')[1].split("</section>")[0]

    newest_first = sorted(alike, key=lambda each: each.published_at, reverse=True)
    assert [section.index(each.title) for each in newest_first] == sorted(
        section.index(each.title) for each in alike
    )


def test_related_news_are_at_most_five_and_russian_pages_say_so(client, make_article):
    tag = Tag.objects.create(name="Шуша")
    article = make_article(title="В Шуше открылась школа", language="ru")
    article.tags.add(tag)
    for number in range(7):
        make_article(title=f"Новость о Шуше {number}", language="ru").tags.add(tag)

    response = client.get(article.get_absolute_url())
    section = response.content.decode().split('class="related"')[1].split("</section>")[0]

    assert "Похожие новости" in page_text(response)
    assert section.count("<li>") == 5


def test_related_news_cost_no_query_when_the_parts_are_cached(client, settings, make_article):
    settings.FRAGMENT_CACHE_SECONDS = 60
    tag = Tag.objects.create(name="İdman")
    article = make_article(title="Qarabağ klubu qalib gəldi")
    article.tags.add(tag)
    make_article(title="Qarabağ klubu yeni mövsümə hazırlaşır").tags.add(tag)
    client.get(article.get_absolute_url())

    with CaptureQueriesContext(connection) as queries:
        html = client.get(article.get_absolute_url()).content.decode()

    assert "Qarabağ klubu yeni mövsümə hazırlaşır" in html
    assert not any("articles_tag" in query["sql"] for query in queries)
    assert len(queries) <= 2


def in_story(*articles):
    """Put `articles` into one story, led by the first, as matching does."""
    story = Story.objects.create(language=articles[0].language, lead_article=articles[0])
    Article.objects.filter(pk__in=[article.pk for article in articles]).update(story=story)
    stories.refresh_stories([story.pk])
    for article in articles:
        article.refresh_from_db()
    return story


def related_section(response):
    html = response.content.decode()
    return html[html.index('class="related"') :].split("</section>")[0]


@pytest.mark.parametrize(
    ("language", "heading", "titles"),
    [
        ("az", "Oxşar xəbərlər", ("Şuşada yeni məktəb açıldı", "Məktəbin ilk dərsi", "Şuşa")),
        ("ru", "Похожие новости", ("В Шуше открылась школа", "Первый урок в новом", "Шуша")),
    ],
)
def test_related_news_put_the_same_story_first_however_many_share_tags(
    client, make_article, monkeypatch, language, heading, titles
):
    # Only three candidates are looked at: the story's article must be among them.
    monkeypatch.setattr(related, "RELATED_POOL", 3)
    now = timezone.now()
    title, story_title, tag_name = titles
    tag = Tag.objects.create(name=tag_name)
    article = make_article(title=title, language=language, published_at=now)
    article.tags.add(tag)
    for number in range(6):
        make_article(
            title=f"{tag_name} {number}", language=language, published_at=now - timedelta(hours=1)
        ).tags.add(tag)
    # No shared tag, no shared title word, older than every other candidate: only its story.
    same = make_article(title=story_title, language=language, published_at=now - timedelta(days=2))
    in_story(article, same)

    response = client.get(article.get_absolute_url())
    section = related_section(response)

    assert heading in page_text(response)
    items = section.split("<li>")[1:]
    assert len(items) == 3 and story_title in items[0]


def test_a_story_change_reaches_the_cached_related_news(client, editor, make_article, settings):
    settings.FRAGMENT_CACHE_SECONDS = 60
    settings.PAGE_CACHE_SECONDS = 30
    now = timezone.now()
    article = make_article(title="Xəzərdə gəmi qəzası", published_at=now)
    partner = make_article(title="Dənizdə xilasetmə əməliyyatı", published_at=now)
    other = make_article(title="Limanda sərnişinlər gözləyir", published_at=now)
    first = in_story(article, partner)
    second = in_story(other)
    desk = Client()
    desk.force_login(editor)

    def related_titles():
        client.cookies.clear()
        response = client.get(
            article.get_absolute_url(), HTTP_ACCEPT=ACCEPT, HTTP_USER_AGENT=BROWSER
        )
        html = response.content.decode()
        return related_section(response) if 'class="related"' in html else ""

    assert partner.title in related_titles() and other.title not in related_titles()

    desk.post(
        reverse("admin:articles_story_changelist"),
        {"action": "merge", "_selected_action": [first.pk, second.pk]},
    )
    assert other.title in related_titles()

    desk.post(
        reverse("admin:articles_article_changelist"),
        {"action": "move_out_of_story", "_selected_action": [partner.pk]},
    )
    shown = related_titles()
    assert other.title in shown and partner.title not in shown


def test_the_click_script_allows_exactly_the_embed_frame_hosts(settings):
    script = (settings.BASE_DIR / "static" / "js" / "site.js").read_text()
    listed = script.split("var frameHosts = [")[1].split("]")[0]
    assert sorted(host.strip(' "\n') for host in listed.split(",")) == sorted(embeds.FRAME_HOSTS)
