"""The article's stored comment counter stays exact through every kind of change."""

import threading

import pytest
from django.db import connection, connections

from articles.models import Article
from comments import services
from comments.models import Comment


def stored(article):
    return Article.objects.get(pk=article.pk).comment_count


def counted(article):
    return Comment.objects.shown().filter(article=article).count()


def test_counter_follows_posting_replying_removing_hiding_showing_deleting(
    article, reader, other_reader, settings
):
    settings.COMMENTS_PER_MINUTE = 100
    first = services.post_comment(author=reader, article=article, body="Bir")
    services.post_comment(author=other_reader, article=article, body="Cavab 1", reply_to=first.pk)
    second = services.post_comment(author=other_reader, article=article, body="İki")
    reply = services.post_comment(
        author=reader, article=article, body="Cavab 2", reply_to=second.pk
    )
    assert stored(article) == counted(article) == 4

    services.remove_own_comment(first, reader)  # its reply stays
    assert stored(article) == counted(article) == 3
    services.set_status(Comment.objects.filter(pk=second.pk), Comment.Status.HIDDEN)
    assert stored(article) == counted(article) == 1  # the hidden comment took its reply along
    services.set_status(Comment.objects.filter(pk=second.pk), Comment.Status.VISIBLE)
    assert stored(article) == counted(article) == 3
    services.delete_comments(Comment.objects.filter(pk=reply.pk))
    assert stored(article) == counted(article) == 2
    services.delete_comments(Comment.objects.filter(pk=first.pk))  # and its reply with it
    assert stored(article) == counted(article) == 1


def test_a_refused_comment_changes_nothing(article, reader, settings):
    settings.COMMENTS_PER_MINUTE = 1
    services.post_comment(author=reader, article=article, body="Bir")

    with pytest.raises(services.CommentRefused):
        services.post_comment(author=reader, article=article, body="İki")

    assert stored(article) == counted(article) == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time; concurrent writers are tested on PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_counter_is_exact_under_concurrent_posting_hiding_and_removing(
    make_article, django_user_model, settings
):
    settings.COMMENTS_PER_MINUTE = settings.COMMENTS_PER_DAY = 1000
    article = make_article()
    readers = [
        django_user_model.objects.create_user(f"oxucu{n}", f"oxucu{n}@example.com", "x")
        for n in range(6)
    ]
    seed = [
        services.post_comment(author=readers[0], article=article, body=f"Əvvəlki {n}")
        for n in range(10)
    ]
    start = threading.Barrier(len(readers) + 2)
    errors = []

    def run(work):
        try:
            start.wait()
            work()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    def poster(reader):
        def work():
            for n in range(15):
                parent = seed[n % len(seed)].pk if n % 3 == 0 else None
                body = f"{reader.username} {n}"
                try:
                    services.post_comment(
                        author=reader, article=article, body=body, reply_to=parent
                    )
                except services.CommentRefused:
                    pass  # the parent was hidden or removed meanwhile

        return work

    def moderator():
        for n in range(20):
            status = Comment.Status.HIDDEN if n % 2 == 0 else Comment.Status.VISIBLE
            services.set_status(Comment.objects.filter(pk__in=[c.pk for c in seed[:5]]), status)

    def remover():
        for comment in seed[5:]:
            services.remove_own_comment(comment, readers[0])

    threads = [threading.Thread(target=run, args=(poster(r),)) for r in readers]
    threads += [threading.Thread(target=run, args=(w,)) for w in (moderator, remover)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Comment.objects.filter(article=article).count() > 60  # most posts got through
    assert stored(article) == counted(article)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time; concurrent writers are tested on PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_overlapping_posts_both_count(make_article, django_user_model, monkeypatch):
    """Each post recounts only after the other has written, or both would store 1."""
    article = make_article()
    readers = [
        django_user_model.objects.create_user(f"paralel{n}", f"paralel{n}@example.com", "x")
        for n in range(2)
    ]
    # Make both transactions try to recount at the same moment. With the article row locked
    # the second one cannot get there before the first commits: the wait times out instead.
    meet = threading.Barrier(2)
    recount = services.recount

    def recount_together(article_ids):
        try:
            meet.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass
        recount(article_ids)

    monkeypatch.setattr(services, "recount", recount_together)

    def post(reader):
        try:
            services.post_comment(author=reader, article=article, body="Eyni anda")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(reader,)) for reader in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert counted(article) == 2
    assert stored(article) == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time; concurrent writers are tested on PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_double_click_arriving_at_once_stores_one_comment(make_article, reader, monkeypatch):
    """Both submissions look for a duplicate before either writes, unless one waits its turn."""
    article = make_article()
    meet = threading.Barrier(2)
    thread_root = services._thread_root

    def thread_root_together(article, reply_to):
        try:
            meet.wait(timeout=1)  # only reached together if the duplicate checks overlapped
        except threading.BrokenBarrierError:
            pass
        return thread_root(article, reply_to)

    monkeypatch.setattr(services, "_thread_root", thread_root_together)
    posted = []

    def click():
        try:
            posted.append(services.post_comment(author=reader, article=article, body="Bir dəfə"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _click in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert list(Comment.objects.values_list("body", flat=True)) == ["Bir dəfə"]
    assert [comment.pk for comment in posted] == [Comment.objects.get().pk] * 2
    assert stored(article) == 1
