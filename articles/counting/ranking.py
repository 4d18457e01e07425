"""The most-read ranking kept when views are buffered: rebuilt by each flush, read by /most-read/.

Summing a week's daily rows costs a pass over all of them (50 ms at 1 000 000 articles, 1 400
a day). With `VIEWS_BUFFER=redis` the daily rows change only when a batch is flushed, so the
flush ranks them once, in its own transaction, and the page reads what it ranked: the same
rows in the same order as summing them then (`ArticleQuerySet.most_read_since`).
"""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from articles.models import Article, DailyViews, MostReadRank

# The periods of /most-read/ (views.MOST_READ_PERIODS): today, the last 7 and 30 days.
PERIOD_DAYS = (1, 7, 30)
# Candidates kept per period and language: the page shows 50; the rest stand in for articles
# unpublished since the flush.
KEPT = 100


def first_days(today=None):
    today = today or timezone.localdate()
    return [today - timedelta(days=days - 1) for days in PERIOD_DAYS]


# Each article's views in the period, ranked per language (ties share a place); kept are the
# first KEPT places, and whether they are every article with views in it. Written as SQL: the
# ORM groups by its window functions. {among} limits it to some articles.
_RANK = """
INSERT INTO {rank} (first_day, article_id, views, complete)
SELECT %s, article_id, total, last_place <= %s FROM (
  SELECT article_id, total, place, MAX(place) OVER (PARTITION BY language) AS last_place FROM (
    SELECT article_id, total, RANK() OVER (PARTITION BY language ORDER BY total DESC) AS place,
           language
    FROM (SELECT d.article_id, a.language, SUM(d.views) AS total
          FROM {daily} d JOIN {article} a ON a.id = d.article_id
          WHERE d.day >= %s {among} GROUP BY d.article_id, a.language) AS totals
  ) AS ranked
) AS placed
WHERE place <= %s
"""
# A flush of more articles than this ranks every article again (one query's parameters).
MOST_ADDED = 5000


def refresh(added=None, today=None):
    """Rank every period's articles by their views, per language; replace the ranking.

    `added`: the ids of the articles a flush has just added views to. Within a day views only
    grow, so an article outside the ranking and not among them still has at least KEPT
    candidates above it: ranking the candidates and `added` again gives the whole ranking
    (a month's daily rows are summed again only on a new day: 2.5 s at 1 000 000 articles).
    """
    days = first_days(today)
    ranked_days = set(MostReadRank.objects.values_list("first_day", flat=True).distinct())
    if added is None or len(added) > MOST_ADDED or ranked_days != set(days):
        MostReadRank.objects.all().delete()
        for first_day in days:
            _rank(first_day, "")
        return
    for first_day in days:
        kept = MostReadRank.objects.filter(first_day=first_day)
        candidates = set(added) | set(kept.values_list("article_id", flat=True))
        if not candidates:
            continue
        incomplete = set(
            kept.filter(complete=False).values_list("article__language", flat=True).distinct()
        )
        kept.delete()
        _rank(first_day, f"AND d.article_id IN ({', '.join(['%s'] * len(candidates))})", candidates)
        # Articles left out before stay out: the ranking stays incomplete.
        kept.filter(article__language__in=incomplete).update(complete=False)


def _rank(first_day, among, articles=()):
    sql = _RANK.format(
        rank=MostReadRank._meta.db_table,
        daily=DailyViews._meta.db_table,
        article=Article._meta.db_table,
        among=among,
    )
    day = connection.ops.adapt_datefield_value(first_day)
    with connection.cursor() as cursor:
        cursor.execute(sql, [day, KEPT, day, *articles, KEPT])


def forget():
    """Drop the ranking: views were written outside a flush (Redis was down)."""
    MostReadRank.objects.all().delete()
