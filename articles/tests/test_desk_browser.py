"""The editors' desk in headless Chromium: history and restore, two editors, previews, the
front page and live coverage as readers get them."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.desk import editing, preview
from articles.models import Article, FrontPagePick, LiveUpdate
from articles.tests.factories import ArticleFactory, EditorFactory

pytestmark = [
    pytest.mark.browser,
    # live_server serves from another thread, so the data must be committed; the serialized
    # rollback puts back what migrations created (the Editors group) for the tests after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def logged_in(browser, live_server, user):
    """Return a new browser context (its own cookies) where `user` has logged in."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill("s3cret-pass")  # the factories' password
    page.locator("input[type=submit]").click()
    expect(page.locator("#user-tools")).to_be_visible()
    page.close()
    return context


def change_page(live_server, article):
    return f"{live_server.url}/admin/articles/article/{article.pk}/change/"


def test_history_shows_two_versions_and_restores_the_first(browser, live_server, db):
    article = ArticleFactory(title="Birinci versiya")
    page = logged_in(browser, live_server, EditorFactory()).new_page()

    page.goto(change_page(live_server, article))
    page.get_by_role("button", name="Yadda saxla", exact=True).click()
    page.goto(change_page(live_server, article))
    page.locator("#id_title").fill("İkinci versiya")
    page.get_by_role("button", name="Yadda saxla", exact=True).click()
    page.goto(change_page(live_server, article))
    page.get_by_role("link", name="Tarixçə").click()

    rows = page.locator("#versions tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator(".summary")).to_have_text("Dəyişdirildi: Başlıq.")
    rows.nth(1).get_by_role("link", name="İndiki halı ilə").click()
    expect(page.locator(".desk-diff h2")).to_have_text(["Başlıq"])
    expect(page.locator(".desk-diff table.diff")).to_contain_text("Birinci")
    page.go_back()
    page.locator("#versions tbody tr").nth(1).get_by_role(
        "button", name="Bu versiyanı bərpa et"
    ).click()

    expect(page.locator(".messagelist")).to_contain_text("tarixli versiya bərpa olundu.")
    expect(page.locator("#id_title")).to_have_value("Birinci versiya")
    assert Article.objects.get(pk=article.pk).title == "Birinci versiya"


def test_two_editors_get_the_warning_and_the_refused_save(browser, live_server, db):
    article = ArticleFactory(title="Ortaq xəbər")
    aygun = logged_in(browser, live_server, EditorFactory(first_name="Aygün")).new_page()
    rauf = logged_in(browser, live_server, EditorFactory(first_name="Rauf")).new_page()

    aygun.goto(change_page(live_server, article))
    aygun.get_by_role("button", name="Yadda saxla", exact=True).click()  # a first version
    aygun.goto(change_page(live_server, article))
    rauf.goto(change_page(live_server, article))
    expect(rauf.locator(".messagelist")).to_contain_text("Aygün redaktə edir: məqaləni saat")

    rauf.locator("#id_title").fill("Raufun başlığı")
    rauf.get_by_role("button", name="Yadda saxla", exact=True).click()
    expect(rauf.locator(".messagelist")).to_contain_text("Dəyişiklik yadda saxlandı")

    aygun.locator("#id_lead").fill("Aygünün girişi")
    aygun.get_by_role("button", name="Yadda saxla", exact=True).click()

    expect(aygun.locator(".errornote, .errorlist").first).to_be_visible()
    expect(aygun.locator("body")).to_contain_text("Dəyişiklikləriniz yadda saxlanmadı")
    assert Article.objects.get(pk=article.pk).title == "Raufun başlığı"
    assert Article.objects.get(pk=article.pk).lead == ""
    aygun.get_by_role("link", name="Nə dəyişib, baxın").click()
    expect(aygun.locator(".desk-diff table.diff")).to_contain_text("Raufun")


def test_a_preview_is_404_for_readers_and_not_counted(browser, live_server, db):
    draft = ArticleFactory(title="Gizli qaralama", status=Article.Status.DRAFT)
    reader = browser.new_context().new_page()

    response = reader.goto(f"{live_server.url}{draft.get_absolute_url()}")
    assert response.status == 404

    response = reader.goto(f"{live_server.url}{preview.preview_url(draft)}")
    assert response.status == 200
    expect(reader.locator("h1.article-title")).to_have_text("Gizli qaralama")
    expect(reader.locator('meta[name="robots"]')).to_have_attribute("content", "noindex")
    assert Article.objects.get(pk=draft.pk).views == 0


def test_a_scheduled_article_previewed_by_staff_and_by_its_signed_link_is_not_counted(
    browser, live_server, db
):
    scheduled = ArticleFactory(
        title="Sabahın xəbəri", published_at=timezone.now() + timedelta(days=1)
    )
    reader = browser.new_context().new_page()
    assert reader.goto(f"{live_server.url}{scheduled.get_absolute_url()}").status == 404
    desk = logged_in(browser, live_server, EditorFactory()).new_page()

    desk.goto(change_page(live_server, scheduled))
    with desk.context.expect_page() as opened:
        desk.locator(".object-tools").get_by_role("link", name="Önizləmə").click()
    staff_view = opened.value
    expect(staff_view.locator("h1.article-title")).to_have_text("Sabahın xəbəri")
    link = desk.get_by_label("Önizləmə linki").input_value()

    # The link is sent to a colleague without an account: it opens in a browser of their own.
    colleague = browser.new_context().new_page()
    response = colleague.goto(link)
    assert response.status == 200
    assert "noindex" in response.headers["x-robots-tag"]
    expect(colleague.locator("h1.article-title")).to_have_text("Sabahın xəbəri")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert colleague.goto(link.replace(token, token[:-3] + "abc")).status == 404

    stored = Article.objects.get(pk=scheduled.pk)
    assert stored.views == 0 and not stored.daily_views.exists()


def test_the_headline_and_picks_in_order_and_gone_after_their_end(browser, live_server, db):
    main = ArticleFactory(title="Günün manşeti", lead="Manşetin girişi.")
    first, second = ArticleFactory(title="Seçim bir"), ArticleFactory(title="Seçim iki")
    FrontPagePick.objects.create(article=main, is_main=True)
    FrontPagePick.objects.create(article=second)
    ending = FrontPagePick.objects.create(
        article=first, ends_at=timezone.now() + timedelta(hours=1)
    )
    page = browser.new_context().new_page()

    page.goto(f"{live_server.url}/")
    expect(page.locator(".front-main-title")).to_have_text("Günün manşeti")
    expect(page.locator(".front-main .lead")).to_have_text("Manşetin girişi.")
    expect(page.locator(".front-picks .news-title")).to_have_text(["Seçim iki", "Seçim bir"])
    assert (
        page.locator(".front-main").bounding_box()["y"]
        < page.locator("#latest-news").bounding_box()["y"]
    )

    FrontPagePick.objects.filter(pk=ending.pk).update(ends_at=timezone.now())
    page.reload()
    expect(page.locator(".front-picks .news-title")).to_have_text(["Seçim iki"])


def test_live_updates_in_order_with_json_ld_that_parses(browser, live_server, db):
    article = ArticleFactory(title="Canlı: seçki günü", live_coverage=Article.Coverage.OPEN)
    now = timezone.now()
    LiveUpdate.objects.create(
        article=article, body="<p>Məntəqələr açıldı.</p>", published_at=now - timedelta(hours=2)
    )
    LiveUpdate.objects.create(
        article=article, body="<p>Fəallıq 30%.</p>", published_at=now - timedelta(hours=1)
    )
    page = browser.new_context().new_page()

    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(page.locator(".live-update-body")).to_have_text(["Fəallıq 30%.", "Məntəqələr açıldı."])
    expect(page.locator("h1 .label-live")).to_have_text("YENİLƏNİR")
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "LiveBlogPosting"
    assert [u["articleBody"] for u in data["liveBlogUpdate"]] == [
        "Fəallıq 30%.",
        "Məntəqələr açıldı.",
    ]

    LiveUpdate.objects.create(article=article, body="<p>Səsvermə bitdi.</p>")
    page.reload()
    expect(page.locator(".live-update-body").first).to_have_text("Səsvermə bitdi.")


def test_an_update_written_in_the_editor_reaches_a_cached_page_and_closing_keeps_it(
    browser, live_server, db, settings
):
    settings.FRAGMENT_CACHE_SECONDS = 60
    settings.PAGE_CACHE_SECONDS = 30
    article = ArticleFactory(title="Canlı: Formula 1", live_coverage=Article.Coverage.OPEN)
    LiveUpdate.objects.create(
        article=article, body="<p>Məşq başladı.</p>", published_at=timezone.now() - timedelta(1)
    )
    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(reader.locator(".live-update-body")).to_have_text(["Məşq başladı."])
    desk = logged_in(browser, live_server, EditorFactory()).new_page()

    desk.goto(change_page(live_server, article))
    editor = desk.locator("#live-coverage .prose-editor [contenteditable=true]")
    editor.click()
    desk.keyboard.type("Yarış ")
    desk.keyboard.press("Control+b")
    desk.keyboard.type("başladı")
    desk.get_by_role("button", name="Yeniliyi əlavə et").click()
    expect(desk.locator(".messagelist .success")).to_contain_text("Yenilik səhifədədir.")

    reader.reload()
    expect(reader.locator(".live-update-body")).to_have_text(["Yarış başladı", "Məşq başladı."])
    expect(reader.locator(".live-update-body strong").first).to_have_text("başladı")
    data = json.loads(reader.locator('script[type="application/ld+json"]').text_content())
    assert [u["articleBody"] for u in data["liveBlogUpdate"]] == ["Yarış başladı", "Məşq başladı."]

    desk.goto(change_page(live_server, article))
    desk.locator("#id_live_coverage").select_option("closed")
    desk.get_by_role("button", name="Yadda saxla", exact=True).click()
    expect(desk.locator(".messagelist .success")).to_be_visible()
    reader.reload()
    expect(reader.locator("h1 .label-live")).to_have_count(0)
    expect(reader.locator(".live-update-body")).to_have_text(["Yarış başladı", "Məşq başladı."])


def test_the_open_page_keeps_its_note_alive_and_a_closed_tab_frees_it(
    browser, live_server, db, monkeypatch
):
    monkeypatch.setattr(editing, "HEARTBEAT_SECONDS", 1)
    monkeypatch.setattr(editing, "STALE_SECONDS", 3)
    article = ArticleFactory(title="Uzun redaktə")
    aygun = logged_in(browser, live_server, EditorFactory(first_name="Aygün")).new_page()
    rauf = logged_in(browser, live_server, EditorFactory(first_name="Rauf")).new_page()

    aygun.goto(change_page(live_server, article))
    aygun.wait_for_timeout(5000)  # longer than a note lives without its heartbeat
    rauf.goto(change_page(live_server, article))
    expect(rauf.locator(".messagelist")).to_contain_text("Aygün redaktə edir")

    aygun.close(run_before_unload=True)
    rauf.wait_for_timeout(500)
    rauf.reload()
    expect(rauf.locator("#id_title")).to_have_value("Uzun redaktə")
    assert "Aygün redaktə edir" not in rauf.locator("body").inner_text()
