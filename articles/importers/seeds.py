"""Store parsed portal page dumps as sources, articles and their view counts."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.html import escape

from articles import stories, text
from articles.caching import articles_changed
from articles.importers.seed_dump import SeedPage, parse_seed_file
from articles.models import Article, DailyViews, Source


@dataclass
class SeedImportResult:
    created: int = 0
    unchanged: int = 0
    articles: list = field(default_factory=list)


def import_seed_file(path):
    """Import one dump in one transaction; raise SeedDumpError before writing if it is broken."""
    page = parse_seed_file(path)
    with transaction.atomic():
        result = import_seed_page(page)
    if result.created:
        stories.match_arrivals(result.articles, notify=False)
        articles_changed()
    return result


def import_seed_page(page: SeedPage) -> SeedImportResult:
    result = SeedImportResult()
    seed = page.article
    source = _source_for(seed) if seed.source_name else None
    article_url = seed.source_url if source and not _is_homepage(seed.source_url) else ""
    _store(
        result,
        language=seed.language,
        title=seed.title,
        published_at=seed.archived_at or _newest_entry_time(page),
        views=seed.views,
        source_url=article_url,
        defaults={
            "body": "".join(f"<p>{escape(paragraph)}</p>" for paragraph in seed.paragraphs),
            "author_name": seed.author_name,
            "author_position": seed.author_position,
            "source": source,
            "archived_at": seed.archived_at if source else None,
            "attribution_variant": _attribution_variant(page, source),
        },
    )
    for entry in page.most_read:
        _store(
            result,
            language=seed.language,
            title=entry.title,
            published_at=entry.published_at,
            views=entry.views,
            defaults={"label": entry.label, "body": f"<p>{escape(entry.title)}</p>"},
        )
    return result


def _store(result, *, language, title, published_at, views, source_url="", defaults):
    """Create the article unless it exists; an existing one is left exactly as it is."""
    if source_url:
        existing = Article.objects.filter(source_url=source_url)
    else:
        existing = Article.objects.filter(
            language=language, title=title, published_at=published_at, source_url=""
        )
    if existing.exists():
        result.unchanged += 1
        return
    article = Article.objects.create(
        language=language,
        title=title,
        published_at=published_at,
        status=Article.Status.PUBLISHED,
        source_url=source_url,
        views=views,
        **defaults,
    )
    if views:
        day = published_at.astimezone(text.BAKU_TZ).date()
        DailyViews.objects.create(article=article, day=day, views=views)
    result.created += 1
    result.articles.append(article)


def _source_for(seed):
    source = Source.objects.filter(name=seed.source_name).first()
    if source is None:
        source = Source.objects.create(
            name=seed.source_name,
            slug=text.slugify_title(seed.source_name, max_length=100),
            kind=seed.source_kind,
            homepage=_homepage(seed.source_url, seed.source_name),
            language=seed.language,
        )
    return source


def _is_homepage(url):
    return bool(url) and urlsplit(url).path in ("", "/") and not urlsplit(url).query


def _homepage(url, source_name):
    if url:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"
    return f"https://{source_name}"


def _attribution_variant(page, source):
    """Return the index of the phrasing the dump used, so the page says it the same way."""
    if source is None:
        return None
    phrasings = text.ATTRIBUTION_PHRASINGS[page.article.language]
    for variant in range(len(phrasings)):
        line = text.attribution_line(
            page.site_name, source.name, source.kind, page.article.language, variant
        )
        if line == page.article.attribution:
            return variant
    return None


def _newest_entry_time(page):
    return max(entry.published_at for entry in page.most_read)
