"""Moderation in the admin: the list, filters, search, hiding and showing, barring readers."""

import re
from datetime import timedelta

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.admin import CommentedArticleFilter
from comments.models import Comment, CommentBan


def count_on(article):
    return Article.objects.get(pk=article.pk).comment_count


def test_editors_group_may_moderate_but_not_write_or_delete_comments(db):
    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )

    assert {"view_comment", "change_comment"} <= codenames
    assert {"add_commentban", "change_commentban", "view_commentban"} <= codenames
    assert not {"add_comment", "delete_comment"} & codenames


def test_list_shows_article_author_excerpt_status_and_time(
    client, editor, article, reader, make_comment
):
    make_comment(article, reader, "Redaktorun görəcəyi şərh " + "uzun " * 40)
    client.force_login(editor)

    response = client.get(reverse("admin:comments_comment_changelist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Redaktorun görəcəyi şərh" in html and "uzun uzun" in html
    assert "uzun " * 40 not in html  # an excerpt, not the whole text
    assert article.title in html and "oxucu" in html
    assert "görünür" in html  # status "visible" in Azerbaijani


def test_filters_by_status_and_article_and_search_by_text_and_author(
    client, editor, article, make_article, reader, other_reader, make_comment
):
    other = make_article(title="Başqa xəbər")
    make_comment(article, reader, "Birinci xəbərə şərh")
    make_comment(
        other,
        other_reader,
        "İkinci xəbərə şərh",
        status=Comment.Status.HIDDEN,
        created_at=timezone.now() - timedelta(days=3),
    )
    client.force_login(editor)
    url = reverse("admin:comments_comment_changelist")

    def listed(**query):
        html = client.get(url, query).content.decode()
        return {body for body in ("Birinci xəbərə", "İkinci xəbərə") if body in html}

    assert listed(status__exact="hidden") == {"İkinci xəbərə"}
    assert listed(article__id__exact=article.pk) == {"Birinci xəbərə"}
    assert listed(q="İkinci") == {"İkinci xəbərə"}
    assert listed(q="qonsu") == {"İkinci xəbərə"}
    today = timezone.localdate()
    day = {"created_at__year": today.year, "created_at__month": today.month}
    assert listed(**day, created_at__day=today.day) == {"Birinci xəbərə"}


def test_the_article_filter_offers_the_articles_of_the_latest_comments(
    client, editor, make_article, reader, make_comment, monkeypatch
):
    monkeypatch.setattr(CommentedArticleFilter, "LATEST_COMMENTS", 2)
    old, quiet, busy, uncommented = (
        make_article(title=title) for title in ("Köhnə", "Sakit", "Qızğın", "Şərhsiz")
    )
    week_ago = timezone.now() - timedelta(days=7)
    make_comment(old, reader, "Köhnə şərh", created_at=week_ago)
    make_comment(quiet, reader, "Dünənki şərh", created_at=timezone.now() - timedelta(days=1))
    make_comment(busy, reader, "Bugünkü şərh")
    client.force_login(editor)
    url = reverse("admin:comments_comment_changelist")

    def offered(**query):
        html = client.get(url, query).content.decode()
        block = html[html.index('data-filter-title="məqalə"') :]
        block = block[: block.index("</details>")]
        return set(re.findall(r'href="\?article__id__exact=\d+">([^<]+)<', block))

    assert offered() == {"Sakit", "Qızğın"}
    # The chosen article stays among the choices, and its comments are listed.
    html = client.get(url, {"article__id__exact": old.pk}).content.decode()
    assert "Köhnə şərh" in html and "Bugünkü şərh" not in html
    assert offered(article__id__exact=old.pk) == {"Köhnə", "Sakit", "Qızğın"}
    assert client.get(url, {"article__id__exact": "x"}).status_code == 200
    assert uncommented.title not in client.get(url).content.decode()


def test_bulk_hide_and_show_change_the_page_and_the_count_at_once(
    client, editor, article, reader, make_comment
):
    kept = make_comment(article, reader, "Qalan şərh")
    bad = make_comment(article, reader, "Gizlədiləcək şərh")
    Article.objects.filter(pk=article.pk).update(comment_count=2)
    client.force_login(editor)
    url = reverse("admin:comments_comment_changelist")

    response = client.post(url, {"action": "hide", "_selected_action": [bad.pk]}, follow=True)

    assert "1 şərh gizlədildi." in response.content.decode()
    assert count_on(article) == 1
    client.logout()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Gizlədiləcək şərh" not in html and "Qalan şərh" in html and "1 Şərh" in html

    client.force_login(editor)
    client.post(url, {"action": "show", "_selected_action": [bad.pk, kept.pk]})
    assert count_on(article) == 2
    assert "Gizlədiləcək şərh" in client.get(article.get_absolute_url()).content.decode()


def test_editor_changes_the_status_but_cannot_edit_the_text(
    client, editor, article, reader, make_comment
):
    comment = make_comment(article, reader, "Oxucunun sözləri")
    Article.objects.filter(pk=article.pk).update(comment_count=1)
    client.force_login(editor)
    url = reverse("admin:comments_comment_change", args=[comment.pk])

    form = client.get(url).content.decode()
    assert 'name="body"' not in form and "Oxucunun sözləri" in form
    assert 'name="status"' in form
    response = client.post(url, {"status": "hidden", "body": "Redaktorun sözləri"})

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Oxucunun sözləri"
    assert comment.status == Comment.Status.HIDDEN
    assert count_on(article) == 0


def test_superuser_may_correct_the_text(client, admin_user, article, reader, make_comment):
    comment = make_comment(article, reader, "Səhv yazılmış")
    client.force_login(admin_user)

    client.post(
        reverse("admin:comments_comment_change", args=[comment.pk]),
        {"status": "visible", "body": "Düzgün yazılmış"},
    )

    comment.refresh_from_db()
    assert comment.body == "Düzgün yazılmış"
    assert count_on(article) == 1


def test_comments_are_not_added_in_the_admin(client, editor, admin_user):
    client.force_login(editor)
    assert client.get(reverse("admin:comments_comment_add")).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse("admin:comments_comment_add")).status_code == 403


def test_superuser_deleting_a_comment_keeps_the_count_exact(
    client, admin_user, article, reader, make_comment
):
    parent = make_comment(article, reader, "Əsas")
    make_comment(article, reader, "Cavab", parent=parent)
    make_comment(article, reader, "Başqa")
    Article.objects.filter(pk=article.pk).update(comment_count=3)
    client.force_login(admin_user)

    client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "delete_selected", "_selected_action": [parent.pk], "post": "yes"},
    )

    assert list(Comment.objects.values_list("body", flat=True)) == ["Başqa"]
    assert count_on(article) == 1


def test_editor_bars_a_reader_by_e_mail_and_the_reader_sees_why(
    client, editor, article, reader, make_comment
):
    comment = make_comment(article, reader, "Spam")
    client.force_login(editor)
    change = client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    add_url = reverse("admin:comments_commentban_add")
    assert f"{add_url}?username=oxucu" in change.content.decode()
    assert 'value="oxucu"' in client.get(add_url, {"username": "oxucu"}).content.decode()

    response = client.post(add_url, {"username": "OXUCU@example.com", "reason": "Reklam"})

    assert response.status_code == 302
    ban = CommentBan.objects.get()
    assert ban.user == reader and ban.created_by == editor and ban.until is None
    client.force_login(reader)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Səbəb: Reklam" in html


def test_barring_an_unknown_or_barred_reader_is_explained(client, editor, reader):
    client.force_login(editor)
    url = reverse("admin:comments_commentban_add")

    unknown = client.post(url, {"username": "yoxdur", "reason": "Spam"}).content.decode()
    CommentBan.objects.create(user=reader, reason="Spam")
    again = client.post(url, {"username": "oxucu", "reason": "Spam"}).content.decode()

    assert "Bu istifadəçi adı və ya e-poçtla oxucu tapılmadı" in unknown
    assert "Bu oxucu artıq qadağan olunub" in again
    assert CommentBan.objects.count() == 1


def test_editor_lifts_a_bar(client, editor, reader):
    ban = CommentBan.objects.create(user=reader, reason="Spam")
    client.force_login(editor)

    response = client.post(
        reverse("admin:comments_commentban_delete", args=[ban.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not CommentBan.objects.exists()


def test_editor_closes_an_articles_comments_from_the_article_form(client, editor, article):
    client.force_login(editor)

    form = client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert 'name="comments_closed"' in form.content.decode()
    Article.objects.filter(pk=article.pk).update(comments_closed=True)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Bu xəbərə şərhlər bağlanıb." in html


def test_editor_cannot_change_the_text_through_a_bulk_edit_or_another_comment(
    client, editor, article, reader, make_comment
):
    """No changelist editing, no hidden field: the reader's words stay the reader's."""
    first = make_comment(article, reader, "Birinci oxucu sözü")
    second = make_comment(article, reader, "İkinci oxucu sözü")
    client.force_login(editor)

    client.post(
        reverse("admin:comments_comment_changelist"),
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "2",
            "form-0-id": first.pk,
            "form-0-body": "Dəyişdirilmiş",
            "form-1-id": second.pk,
            "form-1-body": "Dəyişdirilmiş",
            "_save": "Save",
        },
    )
    client.post(
        reverse("admin:comments_comment_change", args=[second.pk]),
        {"status": "visible", "body": "Dəyişdirilmiş", "author": editor.pk},
    )

    assert set(Comment.objects.values_list("body", flat=True)) == {
        "Birinci oxucu sözü",
        "İkinci oxucu sözü",
    }
    assert set(Comment.objects.values_list("author", flat=True)) == {reader.pk}
