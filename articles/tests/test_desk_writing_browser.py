"""The editors' desk in Chromium: the body editor, pasting, autosave and the reader's page."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import expect

from articles.models import Article, ArticlePhoto
from articles.services import count_photos, store_photo_renditions

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Redaksiya-2026-qis"
MODIFIER = "Control"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def desk(live_server, django_user_model, browser):
    """A logged-in editor's browser page; return (page, live server url)."""
    django_user_model.objects.create_superuser("bas-redaktor", password=PASSWORD)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "bas-redaktor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    return page, live_server.url


def fill_required(page, title):
    page.fill("#id_title", title)
    page.select_option("#id_status", "published")


def body_editor(page):
    # The body's: a saved article's page has a live update's editor too.
    editor = page.locator(".field-body .prose-editor [contenteditable=true]")
    expect(editor).to_be_visible()
    return editor


def test_an_editor_writes_structure_with_the_keyboard_and_readers_see_it(desk):
    page, url = desk
    page.goto(f"{url}/admin/articles/article/add/")
    fill_required(page, "Bakıda yeni körpü açıldı")
    editor = body_editor(page)
    editor.click()
    page.keyboard.type("## Körpünün tarixi")  # the editor's Markdown-like shortcut for h2
    page.keyboard.press("Enter")
    page.keyboard.type("Körpü ")
    page.keyboard.press(f"{MODIFIER}+b")
    page.keyboard.type("bu gün")
    page.keyboard.press(f"{MODIFIER}+b")
    page.keyboard.type(" açıldı.")
    page.keyboard.press("Enter")
    page.keyboard.type("- birinci zolaq")
    page.keyboard.press("Enter")
    page.keyboard.type("ikinci zolaq")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Ətraflı: https://525.az/news/korpu ")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()

    article = Article.objects.get(title="Bakıda yeni körpü açıldı")
    assert "<h2>Körpünün tarixi</h2>" in article.body
    assert "<strong>bu gün</strong>" in article.body
    assert "<ul><li><p>birinci zolaq</p></li><li><p>ikinci zolaq</p></li></ul>" in article.body
    assert 'href="https://525.az/news/korpu"' in article.body

    page.goto(f"{url}{article.get_absolute_url()}")
    body = page.locator(".article-body")
    expect(body.locator("h2")).to_have_text("Körpünün tarixi")
    expect(body.locator("strong")).to_have_text("bu gün")
    expect(body.locator("ul li")).to_have_count(2)
    expect(body.locator("a[href='https://525.az/news/korpu']")).to_be_visible()


PASTED = (
    "<h2 style='color:red'>Başlıq</h2><p>Birinci <b>abzas</b>.</p>"
    "<script>document.title='sındırıldı'</script><style>p{display:none}</style>"
    "<ol><li>bir</li><li>iki</li></ol>"
)


def paste_html(page, html):
    page.evaluate(
        """html => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", "");
            const target = document.querySelector(
                ".field-body .prose-editor [contenteditable=true]");
            target.focus();
            target.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true,
                                                             cancelable: true}));
        }""",
        html,
    )


@pytest.mark.parametrize(
    ("prefix", "told"),
    [
        ("", "Yapışdırılan mətndən silindi: <script>, <style>, formatlama (style)."),
        ("/ru", "Из вставленного текста удалено: <script>, <style>, оформление (style)."),
    ],
)
def test_pasted_html_keeps_structure_and_the_editor_is_told_what_went(desk, prefix, told):
    page, url = desk
    page.goto(f"{url}{prefix}/admin/articles/article/add/")
    fill_required(page, "Yapışdırılmış mətn")
    body_editor(page).click()
    paste_html(page, PASTED)

    expect(page.locator(".desk-notice")).to_contain_text(told)
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()

    body = Article.objects.get(title="Yapışdırılmış mətn").body
    assert "<h2>Başlıq</h2>" in body and "<strong>abzas</strong>" in body
    assert "<ol>" in body and "bir" in body
    assert "script" not in body and "style" not in body and "sındırıldı" not in body


def test_without_the_editor_the_server_still_sanitises_and_says_so(desk, make_article):
    page, url = desk
    article = make_article(title="Köhnə mətn", body="<p>Əvvəl</p>")
    page.goto(f"{url}/admin/articles/article/{article.pk}/change/")
    body_editor(page)
    # What a browser without the editor (or a forged request) posts: raw HTML.
    page.evaluate(
        """() => { const t = document.querySelector('#id_body');
                   t.value = '<p>Yeni</p><iframe src="https://example.com"></iframe>'; }"""
    )
    page.click("input[name=_continue]")

    warning = page.locator(".messagelist .warning")
    expect(warning).to_contain_text("<iframe>")
    article.refresh_from_db()
    assert article.body == "<p>Yeni</p>"


def test_autosave_offers_back_what_a_closed_tab_held(desk):
    page, url = desk
    page.goto(f"{url}/admin/articles/article/add/")
    page.fill("#id_title", "Yarımçıq qalan xəbər")
    body_editor(page).click()
    page.keyboard.type("Bu mətn hələ saxlanmayıb.")
    page.wait_for_timeout(900)  # the autosave writes half a second after the last key
    context = page.context
    page.close(run_before_unload=False)

    again = context.new_page()
    again.goto(f"{url}/admin/articles/article/add/")
    offer = again.locator(".desk-autosave")
    expect(offer).to_contain_text("saxlanmamış")
    offer.get_by_role("button", name="Bərpa et").click()
    expect(again.locator("#id_title")).to_have_value("Yarımçıq qalan xəbər")
    expect(body_editor(again)).to_contain_text("Bu mətn hələ saxlanmayıb.")


def test_leaving_a_changed_form_asks_first(desk):
    page, url = desk
    page.goto(f"{url}/admin/articles/article/add/")
    page.fill("#id_title", "Dəyişdirilmiş forma")
    page.wait_for_timeout(700)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.evaluate("() => { location.href = '/admin/'; }")
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]


def test_a_picture_of_the_article_is_placed_in_the_text_from_the_editor(desk, make_article):
    page, url = desk
    article = make_article(title="Şəkilli mətn", body="<p>Giriş.</p>")
    buffer = io.BytesIO()
    Image.new("RGB", (1400, 800), (20, 120, 60)).save(buffer, "JPEG")
    photo = ArticlePhoto.objects.create(
        article=article,
        image=ContentFile(buffer.getvalue(), name="park.jpg"),
        alt_text="Yaşıl park",
        caption="Yeni park",
    )
    store_photo_renditions(photo)
    count_photos(article)

    page.goto(f"{url}/admin/articles/article/{article.pk}/change/")
    body_editor(page).click()
    page.keyboard.press("End")
    page.locator(".field-body").get_by_role("button", name="Mətnə əlavə edin").click()
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_be_visible()

    article.refresh_from_db()
    assert '<img src="/media/' in article.body and 'alt="Yaşıl park"' in article.body
    assert "<figcaption>Yeni park</figcaption>" in article.body


def test_an_embed_loads_its_frame_only_when_the_reader_clicks(browser, live_server, make_article):
    article = make_article(
        body='<p>Mətn.</p><p><a href="https://youtu.be/dQw4w9WgXcQ">https://youtu.be/dQw4w9WgXcQ</a></p>'
    )
    context = browser.new_context()
    page = context.new_page()
    outside = []
    # Nothing may leave 127.0.0.1: the provider's frame is answered here, and counted.
    page.route(
        "https://www.youtube-nocookie.com/**",
        lambda route: (outside.append(route.request.url), route.fulfill(body="<p>video</p>")),
    )
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.wait_for_load_state("networkidle")
    assert outside == []

    page.get_by_role("link", name="YouTube").click()

    expect(page.locator("iframe.embed-frame")).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
    )
    page.wait_for_timeout(300)
    assert outside == ["https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"]
