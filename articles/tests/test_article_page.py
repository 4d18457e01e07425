import re
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from articles.tests.factories import bulk_articles
from articles.tests.pages import page_text

ICON_WORDS = ("see", "embed", "archive", "top", "news")


def squeeze(text):
    return re.sub(r"\s+", "", text)


def seed_lines_in_page_order(seed_dump):
    """Return the seed's article part and the two block headings, icon words removed."""
    lines = [line.strip() for line in seed_dump.read_text(encoding="utf-8").splitlines()]
    start = lines.index("Strateji müttəfiqliyin yeni mərhələsi")
    end = lines.index("İlk cavab verən siz olun...")
    wanted = [line for line in lines[start : end + 1] if line]
    headings = [line for line in lines[end + 1 :] if line.startswith(("top", "news"))]
    wanted += headings
    return [re.sub(rf"^({'|'.join(ICON_WORDS)})(?=[A-ZƏÜÖÇŞĞİ])", "", line) for line in wanted]


def test_seed_article_page_shows_every_line_of_the_seed_in_order(client, seeded, seed_dump):
    response = client.get(seeded.get_absolute_url())

    assert response.status_code == 200
    text = squeeze(page_text(response))
    position = 0
    for line in seed_lines_in_page_order(seed_dump):
        found = text.find(squeeze(line), position)
        assert found >= 0, f"missing or out of order: {line!r}"
        position = found + len(squeeze(line))


def test_seed_article_page_meta_values(client, seeded):
    response = client.get(seeded.get_absolute_url())
    html = response.content.decode()

    assert seeded.get_absolute_url() == f"/news/strateji-muttefiqliyin-yeni-merhelesi-{seeded.pk}"
    assert re.search(r"Baxış sayı:\s*<strong>121</strong>", html)
    assert 'Mənbə: <a href="https://525.az"' in html
    assert "Bu xəbər 20 Oktyabr 2025 12:24 mənbədən arxivləşdirilmişdir" in html
    assert 'Icma.az bildirir, <a href="/source/525-az/">525.az</a> portalına istinadən.' in html
    assert 'id="comments-title">0 Şərh</h2>' in html
    assert "Daxil olun, şərh yazmaq üçün..." in html
    assert "İlk cavab verən siz olun..." in html
    assert f'href="/accounts/login/?next={seeded.get_absolute_url()}%23comments"' in html


def test_most_read_block_lists_the_seed_entries_by_views(client, seeded):
    html = client.get(seeded.get_absolute_url()).content.decode()
    block = html[html.index('id="most-read"') : html.index('id="latest-news"')]

    views = [int(v) for v in re.findall(r"</svg>\s*(\d+)</span>", block)]
    assert views[:3] == [236, 222, 215]
    assert views == sorted(views, reverse=True)
    assert len(views) == 20
    assert "21 Yanvar 2026 13:23" in block
    assert "Lotereyada 2 milyard dollara yaxın pul qazanıldı, götürən yoxdur" in block


def test_own_article_has_no_attribution_source_or_archive_lines(client, make_article):
    article = make_article(title="Portalın öz xəbəri")

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Baxış sayı:" in html
    assert "Mənbə:" not in html
    assert "mənbədən arxivləşdirilmişdir" not in html
    assert 'class="attribution"' not in html


def test_wrong_slug_redirects_permanently_to_the_right_one(client, seeded):
    response = client.get(f"/news/kohne-bashliq-{seeded.pk}")

    assert response.status_code == 301
    assert response["Location"] == seeded.get_absolute_url()


def test_unknown_id_is_a_404_in_the_sites_layout(client, seeded):
    response = client.get("/news/strateji-muttefiqliyin-yeni-merhelesi-999999")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Səhifə tapılmadı" in html
    assert "Günün ən çox oxunanları" in html


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_articles_are_404_for_readers_and_previewable_by_staff(
    client, make_article, editor, fields
):
    article = make_article(title="Hələ dərc olunmayıb", **fields)

    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Hələ dərc olunmayıb" not in client.get("/").content.decode()

    client.force_login(editor)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Önizləmə" in response.content.decode()


def test_scheduled_article_appears_when_its_time_comes(client, make_article):
    article = make_article(title="Planlaşdırılmış xəbər", published_at=timezone.now())
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() + timedelta(seconds=3600)
    )
    assert not Article.objects.published().filter(pk=article.pk).exists()

    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert "Planlaşdırılmış xəbər" in client.get("/").content.decode()


def test_home_lists_latest_news_newest_first_and_the_most_read_block(client, seeded):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Son xəbərlər" in html and "Günün ən çox oxunanları" in html
    latest = html[html.index('id="latest-news"') : html.index('id="most-read"')]
    first = latest.index("ÇL: İstanbulda hesab açıldı")  # 21 Yanvar 2026 22:01, the newest
    assert first < latest.index("Tramp BMT yə alternativ təşkilatı elan edəcək")  # 14:19


def test_empty_site_shows_empty_states(client, db):
    html = client.get("/").content.decode()

    assert "Hələ xəbər yoxdur." in html


@pytest.mark.parametrize("number", [5, 200])
def test_query_counts_do_not_grow_with_the_number_of_articles(
    client, db, number, django_assert_max_num_queries, django_assert_num_queries
):
    bulk_articles(number)
    article = Article.objects.published().first()

    # Category menu, front page picks, latest news, most read (its newest time in a subquery).
    with django_assert_num_queries(4):
        assert client.get("/").status_code == 200
    # The article with its tags, its related articles, the category menu and both blocks
    # beside it; no gallery and no comments, so no query for them (test_posting.py counts the
    # section's one query however many there are; test_page_budgets.py an article with all).
    with django_assert_num_queries(5):
        assert client.get(article.get_absolute_url()).status_code == 200
