"""Posting, replying, limits and what readers see in an article's comment section."""

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.models import Comment, CommentBan

XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def section(response):
    html = response.content.decode()
    return html[html.index('id="comments"') : html.index("</section>", html.index('id="comments"'))]


class _Inputs(HTMLParser):
    def __init__(self, name):
        super().__init__()
        self.name, self.found = name, []

    def handle_starttag(self, tag, attrs):
        if tag == "input" and dict(attrs).get("name") == self.name:
            self.found.append(dict(attrs))


def inputs_named(name, html):
    """Return the attributes of every <input name=`name`> in `html`."""
    parser = _Inputs(name)
    parser.feed(html)
    return parser.found


def count_on(article):
    return Article.objects.get(pk=article.pk).comment_count


def test_anonymous_reader_sees_the_login_prompt_and_no_form(client, article):
    html = section(client.get(article.get_absolute_url()))

    assert 'id="comments-title">0 Şərh</h2>' in html
    login = f'href="/accounts/login/?next={article.get_absolute_url()}%23comments"'
    assert login in html and "Daxil olun, şərh yazmaq üçün..." in html
    assert f'href="/accounts/signup/?next={article.get_absolute_url()}%23comments"' in html
    assert "İlk cavab verən siz olun..." in html
    assert "<form" not in html


def test_anonymous_post_redirects_to_login_and_stores_nothing(client, article):
    response = client.post(reverse("comments:post", args=[article.pk]), {"body": "Salam"})

    assert response.status_code == 302
    assert response["Location"] == (
        f"/accounts/login/?next={article.get_absolute_url()}%23comments"
    )
    assert not Comment.objects.exists()
    assert count_on(article) == 0


def test_post_without_csrf_token_is_refused_and_stores_nothing(reader, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)

    response = client.post(reverse("comments:post", args=[article.pk]), {"body": "Salam"})

    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_get_on_the_post_address_is_not_allowed(client, reader, article):
    client.force_login(reader)
    assert client.get(reverse("comments:post", args=[article.pk])).status_code == 405


def test_logged_in_reader_posts_and_lands_on_the_new_comment(client, reader, article, post):
    client.force_login(reader)
    assert 'name="body"' in section(client.get(article.get_absolute_url()))

    response = post(article, "  Maraqlı xəbərdir.\r\nİkinci sətir.  ")

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert comment.body == "Maraqlı xəbərdir.\nİkinci sətir."
    assert comment.author == reader and comment.parent is None
    assert count_on(article) == 1
    html = section(client.get(article.get_absolute_url()))
    assert 'id="comments-title">1 Şərh</h2>' in html
    assert f'id="comment-{comment.pk}"' in html
    assert "Maraqlı xəbərdir.<br>İkinci sətir." in html
    assert "oxucu" in html
    assert "İlk cavab verən siz olun..." not in html


def test_comment_time_is_shown_the_portal_way(client, reader, article, make_comment):
    when = datetime(2026, 1, 21, 9, 23, tzinfo=UTC)
    make_comment(article, reader, created_at=when)
    Article.objects.filter(pk=article.pk).update(comment_count=1)

    html = section(client.get(article.get_absolute_url()))

    assert "21 Yanvar 2026 13:23" in html  # Baku time
    assert 'datetime="2026-01-21T13:23:00+04:00"' in html


def test_markup_is_shown_as_text_and_links_are_marked_as_readers(client, reader, article, post):
    client.force_login(reader)
    post(article, f"{XSS}\nBax: https://example.com/xeber?a=1&b=2")

    html = section(client.get(article.get_absolute_url()))

    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "<script>" not in html and "<img" not in html
    assert (
        '<a href="https://example.com/xeber?a=1&amp;b=2" rel="nofollow ugc noopener">'
        "https://example.com/xeber?a=1&amp;b=2</a>"
    ) in html


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("   \n  ", "Şərhi göndərməzdən əvvəl nəsə yazın."),
        ("ə" * 2001, "2000"),
        ("ə" * 500_000, "2000"),  # a megabyte
        ("Salam\x00dünya", "Null simvollara icazə verilmir."),
    ],
    ids=["blank", "too-long", "one-megabyte", "nul-byte"],
)
def test_invalid_text_is_shown_in_the_form_and_kept(client, reader, article, post, body, error):
    client.force_login(reader)

    response = post(article, body)

    assert response.status_code == 400
    html = section(response)
    assert error in html
    assert 'class="field-errors"' in html
    assert body.strip() in html  # the reader's text stays in the form
    assert not Comment.objects.exists()


def test_text_of_exactly_2000_characters_is_accepted(client, reader, article, post):
    client.force_login(reader)
    assert post(article, "a" * 2000).status_code == 302
    assert Comment.objects.get().body == "a" * 2000


def test_duplicate_submission_within_a_minute_creates_one_comment(client, reader, article, post):
    client.force_login(reader)

    first = post(article, "Eyni mətn")
    second = post(article, "Eyni mətn")

    assert Comment.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert count_on(article) == 1


def test_same_text_after_a_minute_is_a_new_comment(client, reader, article, post, make_comment):
    make_comment(article, reader, "Eyni mətn", created_at=timezone.now() - timedelta(seconds=61))
    client.force_login(reader)

    post(article, "Eyni mətn")

    assert Comment.objects.count() == 2


def test_per_minute_limit_refuses_with_a_message_and_keeps_the_text(
    client, reader, article, post, settings
):
    settings.COMMENTS_PER_MINUTE = 3
    client.force_login(reader)
    for number in range(3):
        assert post(article, f"Şərh {number}").status_code == 302

    response = post(article, "Dördüncü şərh")

    assert response.status_code == 429
    html = section(response)
    assert "Dəqiqədə ən çox 3 şərh yaza bilərsiniz." in html
    assert "Dördüncü şərh</textarea>" in html
    assert Comment.objects.count() == 3 and count_on(article) == 3


def test_per_minute_limit_frees_up_after_a_minute(client, reader, article, post, settings):
    settings.COMMENTS_PER_MINUTE = 2
    client.force_login(reader)
    post(article, "Bir")
    post(article, "İki")
    Comment.objects.update(created_at=timezone.now() - timedelta(seconds=61))

    assert post(article, "Üç").status_code == 302


def test_per_day_limit_counts_the_last_24_hours(
    client, reader, article, post, settings, make_comment
):
    settings.COMMENTS_PER_DAY = 4
    earlier = timezone.now() - timedelta(hours=3)
    for number in range(4):
        make_comment(article, reader, f"Köhnə {number}", created_at=earlier)
    make_comment(article, reader, "Dünənki", created_at=timezone.now() - timedelta(hours=25))
    client.force_login(reader)

    response = post(article, "Yeni şərh")

    assert response.status_code == 429
    assert "Gündə ən çox 4 şərh yaza bilərsiniz." in section(response)
    assert Comment.objects.count() == 5


def test_limits_are_per_reader(client, reader, other_reader, article, post, settings):
    settings.COMMENTS_PER_MINUTE = 1
    client.force_login(reader)
    post(article, "Birinci oxucu")
    client.force_login(other_reader)

    assert post(article, "İkinci oxucu").status_code == 302


def test_limit_message_in_russian(client, reader, make_article, settings):
    settings.COMMENTS_PER_MINUTE = 1
    article = make_article(language="ru", title="Новость для комментариев")
    client.force_login(reader)
    url = f"/ru/comments/post/{article.pk}/"
    client.post(url, {"body": "Первый"})

    response = client.post(url, {"body": "Второй"})

    assert response.status_code == 429
    assert "Можно оставлять не больше 1 комментария в минуту." in section(response)


def test_reply_appears_under_its_comment_and_counts(client, reader, other_reader, article, post):
    client.force_login(reader)
    post(article, "Əsas şərh")
    parent = Comment.objects.get()
    client.force_login(other_reader)

    page = section(client.get(f"{article.get_absolute_url()}?reply_to={parent.pk}"))
    assert "oxucu istifadəçisinə cavab" in page
    assert f'name="parent" value="{parent.pk}"' in page
    response = post(article, "Cavab", parent=parent.pk)

    reply = Comment.objects.get(parent=parent)
    assert response["Location"].endswith(f"#comment-{reply.pk}")
    html = section(client.get(article.get_absolute_url()))
    assert 'id="comments-title">2 Şərh</h2>' in html
    thread = html[html.index(f'id="comment-{parent.pk}"') :]
    assert thread.index('class="comment-replies"') < thread.index(f'id="comment-{reply.pk}"')


def test_reply_to_a_reply_joins_the_same_thread(client, reader, article, post, make_comment):
    parent = make_comment(article, reader, "Əsas")
    reply = make_comment(article, reader, "Cavab", parent=parent)
    client.force_login(reader)

    post(article, "Cavaba cavab", parent=reply.pk)

    assert Comment.objects.get(body="Cavaba cavab").parent == parent


@pytest.mark.parametrize("status", [Comment.Status.HIDDEN, Comment.Status.REMOVED])
def test_reply_to_a_comment_no_longer_shown_is_refused(
    client, reader, article, post, make_comment, status
):
    parent = make_comment(article, reader, "Əsas", status=status)
    client.force_login(reader)

    response = post(article, "Gec cavab", parent=parent.pk)

    assert response.status_code == 400
    html = section(response)
    assert "Cavab verdiyiniz şərh artıq mövcud deyil." in html
    assert "Gec cavab</textarea>" in html
    # The text is offered again as a new comment, not as a reply to the one that went away.
    assert [field.get("value", "") for field in inputs_named("parent", html)] == [""]
    assert not Comment.objects.filter(body="Gec cavab").exists()


def test_reply_to_a_comment_on_another_article_is_refused(
    client, reader, article, make_article, post, make_comment
):
    elsewhere = make_comment(make_article(), reader, "Başqa xəbərdə")
    client.force_login(reader)

    assert post(article, "Cavab", parent=elsewhere.pk).status_code == 400
    assert not Comment.objects.filter(body="Cavab").exists()


def test_comments_are_oldest_first(client, reader, article, make_comment):
    now = timezone.now()
    make_comment(article, reader, "İkinci", created_at=now - timedelta(minutes=1))
    make_comment(article, reader, "Birinci", created_at=now - timedelta(minutes=5))

    html = section(client.get(article.get_absolute_url()))

    assert html.index("Birinci") < html.index("İkinci")


@pytest.mark.parametrize(
    "prefix, language, message",
    [
        ("", "az", "Şərhiniz dərc olunmadı: bu xəbər saytda yoxdur."),
        ("/ru", "ru", "Комментарий не опубликован: этой статьи нет на сайте."),
    ],
)
@pytest.mark.parametrize("unpublished", ["draft", "scheduled", "unknown"])
def test_unpublished_article_takes_no_comments_and_hands_the_text_back(
    client, reader, make_article, prefix, language, message, unpublished
):
    """An article withdrawn while its reader was writing: a 404 that says so and keeps the
    text; a draft, a scheduled and an unknown id look alike (drafts stay secret)."""
    fields = {
        "draft": {"status": Article.Status.DRAFT},
        "scheduled": {"published_at": timezone.now() + timedelta(hours=2)},
        "unknown": {"status": Article.Status.DRAFT},
    }[unpublished]
    article = make_article(language=language, title="Geri çəkilən xəbər", **fields)
    pk = article.pk + 1000 if unpublished == "unknown" else article.pk
    client.force_login(reader)

    response = client.post(f"{prefix}/comments/post/{pk}/", {"body": "Uzun <b>fikrim</b>"})

    html = response.content.decode()
    assert response.status_code == 404
    assert message in html
    assert "Uzun &lt;b&gt;fikrim&lt;/b&gt;</textarea>" in html
    assert "Geri çəkilən xəbər" not in html
    assert not Comment.objects.exists()


def test_closed_comments_replace_the_form_with_a_notice(
    client, reader, article, post, make_comment
):
    make_comment(article, reader, "Bağlanmazdan əvvəl")
    Article.objects.filter(pk=article.pk).update(comments_closed=True, comment_count=1)
    client.force_login(reader)

    html = section(client.get(article.get_absolute_url()))
    assert "Bu xəbərə şərhlər bağlanıb." in html
    assert "<form" not in html and "Cavab ver" not in html
    assert "Bağlanmazdan əvvəl" in html

    response = post(article, "Gecikmiş şərh")
    assert response.status_code == 403
    assert not Comment.objects.filter(body="Gecikmiş şərh").exists()
    assert count_on(article) == 1


@pytest.mark.parametrize(
    ("prefix", "closed", "invitation"),
    [
        ("", "Bu xəbərə şərhlər bağlanıb.", "Daxil olun, şərh yazmaq üçün..."),
        ("/ru", "Комментарии к этой статье закрыты.", "Войдите, чтобы оставить комментарий..."),
    ],
)
def test_anonymous_reader_is_told_comments_are_closed_not_invited_to_log_in(
    client, make_article, prefix, closed, invitation
):
    language = "ru" if prefix else "az"
    article = make_article(title="Bağlı şərhlər", language=language, comments_closed=True)

    html = section(client.get(article.get_absolute_url()))

    assert closed in html
    assert invitation not in html
    assert "/accounts/login/" not in html and "/accounts/signup/" not in html


def test_barred_reader_sees_why_and_cannot_post(client, reader, article, post, editor):
    CommentBan.objects.create(user=reader, reason="Təhqiramiz ifadələr", created_by=editor)
    client.force_login(reader)

    html = section(client.get(article.get_absolute_url()))
    assert "Bu saytda şərh yaza bilməzsiniz. Səbəb: Təhqiramiz ifadələr" in html
    assert "<form" not in html

    response = post(article, "Yenə mən")
    assert response.status_code == 403
    assert "Təhqiramiz ifadələr" in section(response)
    assert not Comment.objects.exists()


def test_bar_with_an_end_date_says_until_when_and_lapses(client, reader, article, post):
    until = timezone.now() + timedelta(days=2)
    ban = CommentBan.objects.create(user=reader, reason="Spam", until=until)
    client.force_login(reader)

    html = section(client.get(article.get_absolute_url()))
    assert "tarixinədək şərh yaza bilməzsiniz. Səbəb: Spam" in html

    CommentBan.objects.filter(pk=ban.pk).update(until=timezone.now() - timedelta(minutes=1))
    assert post(article, "Yenidən buradayam").status_code == 302


def test_author_removes_a_comment_without_replies_and_it_disappears(client, reader, article, post):
    client.force_login(reader)
    post(article, "Fikrimi dəyişdim")
    comment = Comment.objects.get()
    remove_url = reverse("comments:remove", args=[comment.pk])
    assert f'href="{remove_url}"' in section(client.get(article.get_absolute_url()))

    confirm = client.get(remove_url)
    assert confirm.status_code == 200
    assert "Fikrimi dəyişdim" in confirm.content.decode()
    response = client.post(remove_url)

    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comments"
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    html = section(client.get(article.get_absolute_url()))
    assert "Fikrimi dəyişdim" not in html
    assert 'id="comments-title">0 Şərh</h2>' in html and "İlk cavab verən siz olun..." in html


def test_removed_comment_with_replies_stays_as_a_placeholder(
    client, reader, other_reader, article, post
):
    client.force_login(reader)
    post(article, "Silinəcək şərh")
    parent = Comment.objects.get()
    client.force_login(other_reader)
    post(article, "Buna cavab", parent=parent.pk)
    client.force_login(reader)

    client.post(reverse("comments:remove", args=[parent.pk]))

    html = section(client.get(article.get_absolute_url()))
    assert "Silinəcək şərh" not in html
    assert "Bu şərh müəllifi tərəfindən silinib." in html
    assert "Buna cavab" in html
    assert 'id="comments-title">1 Şərh</h2>' in html and count_on(article) == 1


def test_only_the_author_can_remove_a_comment(client, reader, other_reader, article, post):
    client.force_login(reader)
    post(article, "Mənim şərhim")
    comment = Comment.objects.get()
    client.force_login(other_reader)

    assert 'href="/comments/' not in section(client.get(article.get_absolute_url()))
    assert client.post(reverse("comments:remove", args=[comment.pk])).status_code == 404
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE


def test_removal_needs_a_login(client, reader, article, make_comment):
    comment = make_comment(article, reader)
    response = client.post(reverse("comments:remove", args=[comment.pk]))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_hidden_comment_and_its_replies_leave_the_page_and_the_count(
    client, reader, other_reader, article, post
):
    client.force_login(reader)
    post(article, "Pis şərh")
    parent = Comment.objects.get()
    client.force_login(other_reader)
    post(article, "Pis şərhə cavab", parent=parent.pk)
    post(article, "Ayrıca yaxşı şərh")
    assert count_on(article) == 3

    services.set_status(Comment.objects.filter(pk=parent.pk), Comment.Status.HIDDEN)

    html = section(client.get(article.get_absolute_url()))
    assert "Pis şərh" not in html
    assert "Ayrıca yaxşı şərh" in html
    assert 'id="comments-title">1 Şərh</h2>' in html and count_on(article) == 1


def test_deleted_account_keeps_its_comment_and_the_count(
    client, reader, article, post, django_user_model
):
    client.force_login(reader)
    post(article, "Hesabım silinəcək")
    client.logout()

    django_user_model.objects.filter(pk=reader.pk).delete()

    html = section(client.get(article.get_absolute_url()))
    assert "Hesabım silinəcək" in html and "silinmiş hesab" in html
    assert 'id="comments-title">1 Şərh</h2>' in html


def test_russian_page_shows_the_section_in_russian(client, reader, make_article, make_comment):
    article = make_article(language="ru", title="Новость")
    for number in range(3):
        make_comment(article, reader, f"Комментарий {number}")
    Article.objects.filter(pk=article.pk).update(comment_count=3)
    client.force_login(reader)

    html = section(client.get(article.get_absolute_url()))

    assert "3 комментария" in html
    assert "Ваш комментарий" in html and "Ответить" in html and "Удалить" in html


@pytest.mark.parametrize("number", [0, 3, 100])
def test_section_costs_fixed_queries_whatever_the_number_of_comments(
    client, reader, other_reader, article, number, django_assert_num_queries
):
    now = timezone.now()
    parents = Comment.objects.bulk_create(
        Comment(article=article, author=reader, body=f"Şərh {i}", created_at=now)
        for i in range(number)
    )
    Comment.objects.bulk_create(
        Comment(article=article, author=other_reader, parent=p, body="Cavab", created_at=now)
        for p in parents[::2]
    )
    services.recount([article.pk])
    url = article.get_absolute_url()

    # The article with its tags, its related news, the category menu, the two blocks beside
    # it, and all comments with their authors (no query at all when the article's count says
    # it has none).
    comments = 1 if number else 0
    with django_assert_num_queries(5 + comments):
        assert client.get(url).status_code == 200
    client.force_login(reader)
    # Logged in: the session, and the user with their bar from commenting if any.
    with django_assert_num_queries(7 + comments):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Bax https://525.az/xeber.",
            'Bax <a href="https://525.az/xeber" rel="nofollow ugc noopener">'
            "https://525.az/xeber</a>.",
        ),
        ("javascript:alert(1) və data:text/html,x", "javascript:alert(1) və data:text/html,x"),
        ('https://x.az/"onmouseover="alert(1)', '<a href="https://x.az/" rel="nofollow ugc'),
        (
            "https://525.az/" + "a" * 80,
            f'<a href="https://525.az/{"a" * 80}" rel="nofollow ugc noopener">'
            f"https://525.az/{'a' * 44}…</a>",
        ),
    ],
    ids=["trailing-dot", "other-schemes", "quote", "long"],
)
def test_links_in_comments(body, expected):
    from comments.templatetags.comment_tags import comment_text

    assert expected in comment_text(body)


def test_reply_to_a_deleted_accounts_comment_names_it(
    client, reader, other_reader, article, make_comment, django_user_model
):
    comment = make_comment(article, other_reader, "Köhnə fikir")
    django_user_model.objects.filter(pk=other_reader.pk).delete()
    client.force_login(reader)

    html = section(client.get(f"{article.get_absolute_url()}?reply_to={comment.pk}"))

    assert "silinmiş hesab istifadəçisinə cavab" in html


def test_staff_preview_of_a_draft_shows_no_comment_form(client, editor, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    client.force_login(editor)

    html = section(client.get(draft.get_absolute_url()))

    assert 'id="comments-title">0 Şərh</h2>' in html and "<form" not in html
