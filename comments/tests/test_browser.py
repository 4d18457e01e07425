"""End to end in headless Chromium: sign up from the login prompt, comment, reply, log out."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article
from comments.models import Comment

XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"
PASSWORD = "Qarabag-2026-bahar"

pytestmark = [
    pytest.mark.browser,
    # live_server serves from another thread, so the data must be committed; the serialized
    # rollback puts back what migrations created (the Editors group) for the tests after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_reader_signs_up_comments_safely_replies_and_logs_out(live_server, page, seeded):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    article_url = f"{live_server.url}{seeded.get_absolute_url()}"
    comments = page.locator("#comments")

    page.goto(article_url)
    expect(comments.locator("h2")).to_have_text("0 Şərh")
    expect(comments).to_contain_text("İlk cavab verən siz olun...")

    page.get_by_role("link", name="Daxil olun, şərh yazmaq üçün...").click()
    expect(page.locator("h1")).to_have_text("Daxil ol")
    page.locator("main").get_by_role("link", name="Qeydiyyatdan keç").click()
    expect(page.locator("h1")).to_have_text("Qeydiyyat")
    page.get_by_label("İstifadəçi adı").fill("brauzer_oxucu")
    page.get_by_label("E-poçt").fill("brauzer@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Hesab yarat").click()

    # Back on the article, at its comment section, logged in.
    expect(page).to_have_url(f"{article_url}#comments")
    page.get_by_label("Şərhiniz").fill(XSS)
    page.get_by_role("button", name="Şərhi göndər").click()

    comment = Comment.objects.get()
    expect(page).to_have_url(f"{article_url}#comment-{comment.pk}")
    body = page.locator(f"#comment-{comment.pk} .comment-body")
    expect(body).to_have_text(XSS)
    assert body.locator("img, script").count() == 0
    expect(comments.locator("h2")).to_have_text("1 Şərh")

    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Cavab ver").click()
    expect(page.locator(".replying-to")).to_contain_text("brauzer_oxucu istifadəçisinə cavab")
    page.get_by_label("Cavabınız").fill("Özümə cavab: bu, sadəcə mətndir.")
    page.get_by_role("button", name="Cavabı göndər").click()

    reply = Comment.objects.get(parent=comment)
    expect(page).to_have_url(f"{article_url}#comment-{reply.pk}")
    expect(
        page.locator(f"#comment-{comment.pk} ~ .comment-replies #comment-{reply.pk}")
    ).to_contain_text("Özümə cavab")

    page.get_by_role("button", name="Hesabdan çıx").click()

    expect(page).to_have_url(re.compile(re.escape(article_url)))
    expect(comments.locator("h2")).to_have_text("2 Şərh")
    expect(comments.get_by_role("link", name="Daxil olun, şərh yazmaq üçün...")).to_be_visible()
    expect(comments.locator("textarea")).to_have_count(0)
    assert Article.objects.get(pk=seeded.pk).comment_count == 2
    assert dialogs == []
