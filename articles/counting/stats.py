"""Editors' view statistics: daily series, the dashboard's tables and a small SVG chart."""

from datetime import timedelta

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from articles.models import Article, DailyViews, Source

CHART_DAYS = 30
TOP_ARTICLES = 20


def daily_series(article, days=CHART_DAYS):
    """Return [(day, views)] of the article's last `days` days, oldest first, gaps as 0."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    stored = dict(
        DailyViews.objects.filter(article=article, day__gte=first).values_list("day", "views")
    )
    return [
        (first + timedelta(days=n), stored.get(first + timedelta(days=n), 0)) for n in range(days)
    ]


def views_chart(series, width=600, height=140):
    """Render a bar chart of [(day, views)] as inline SVG, each bar titled with its figures."""
    top = max((views for _day, views in series), default=0)
    plot = height - 24  # room for the dates under the bars
    step = width / max(len(series), 1)
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
        (
            (
                f"{n * step + 1:.1f}",
                f"{plot - bar:.1f}",
                f"{step - 2:.1f}",
                f"{bar:.1f}",
                date_format(day, "j E"),
                views,
            )
            for n, (day, views) in enumerate(series)
            for bar in [views / top * plot if top else 0]
        ),
    )
    total = sum(views for _day, views in series)
    label = _("Daily views in the last %(days)d days: %(total)d in all, at most %(top)d a day.") % {
        "days": len(series),
        "total": total,
        "top": top,
    }
    first, last = (date_format(series[0][0], "j E"), date_format(series[-1][0], "j E"))
    return format_html(
        '<svg class="views-chart" role="img" aria-label="{label}" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" style="max-width: 100%; height: auto">'
        "<title>{label}</title>"
        '<line x1="0" y1="{plot}" x2="{w}" y2="{plot}" stroke="#888"/>'
        '<g fill="#417690">{bars}</g>'
        '<g font-size="11" fill="currentColor">'
        '<text x="0" y="{base}">{first}</text>'
        '<text x="{w}" y="{base}" text-anchor="end">{last}</text>'
        '<text x="{w}" y="11" text-anchor="end">{top_label}</text></g></svg>',
        label=label,
        w=width,
        h=height,
        plot=plot,
        bars=bars,
        base=height - 6,
        first=first,
        last=last,
        top_label=_("max %(top)d") % {"top": top},
    )


def top_articles_since(first_day, limit=TOP_ARTICLES):
    """Return the most viewed articles (any status) since `first_day`, with `period_views`."""
    return list(
        Article.objects.filter(daily_views__day__gte=first_day)
        .select_related("source")
        .only("id", "title", "language", "slug", "status", "published_at", "views", "source__name")
        .annotate(period_views=Sum("daily_views__views"))
        .order_by("-period_views", "-published_at")[:limit]
    )


def source_totals(today, week_start, month_start):
    """Return per-source rows (name, today, week, month, all time), most read this week first.

    The portal's own articles (no source) are one row named "Own articles".
    """
    periods = (
        DailyViews.objects.filter(day__gte=month_start)
        .values("article__source")
        .annotate(
            today=Sum("views", filter=Q(day=today), default=0),
            week=Sum("views", filter=Q(day__gte=week_start), default=0),
            month=Sum("views", default=0),
        )
    )
    periods = {row["article__source"]: row for row in periods}
    all_time = dict(
        Article.objects.values("source").annotate(total=Sum("views")).values_list("source", "total")
    )
    names = dict(Source.objects.values_list("id", "name"))
    names[None] = _("Own articles")
    rows = []
    for source_id in set(periods) | {key for key, total in all_time.items() if total}:
        row = periods.get(source_id, {})
        rows.append(
            {
                "name": names.get(source_id, "?"),
                "today": row.get("today", 0),
                "week": row.get("week", 0),
                "month": row.get("month", 0),
                "total": all_time.get(source_id) or 0,
            }
        )
    return sorted(rows, key=lambda row: (-row["week"], -row["total"], str(row["name"])))


def dashboard(today=None):
    """Return the figures of the editors' dashboard."""
    today = today or timezone.localdate()
    week_start = today - timedelta(days=6)
    month_start = today - timedelta(days=CHART_DAYS - 1)
    totals = DailyViews.objects.filter(day__gte=week_start).aggregate(
        today=Sum("views", filter=Q(day=today), default=0), week=Sum("views", default=0)
    )
    return {
        "today": today,
        "week_start": week_start,
        "views_today": totals["today"],
        "views_week": totals["week"],
        "top_today": top_articles_since(today),
        "top_week": top_articles_since(week_start),
        "sources": source_totals(today, week_start, month_start),
    }
