"""Template tags of the browse pages: the category menu, dates of days and months, SEO data."""

import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from articles import text
from articles.models import current_language
from articles.search import plain_text, summary
from articles.templatetags.portal import page_fragments

register = template.Library()

# As django.utils.html.json_script: no "</script>", "<!--" or "&" can survive in the JSON.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
OG_LOCALES = {"az": "az_AZ", "ru": "ru_RU"}


@register.inclusion_tag("includes/category_menu.html", takes_context=True)
def category_menu(context):
    """Render the categories as items of the header's menu."""
    return {"categories": page_fragments(context).menu()}


@register.filter
def portal_day(value):
    """Format a date as the portal does: `20 Oktyabr 2025`."""
    return text.format_day(value, current_language()) if value else ""


@register.filter
def portal_month(value):
    """Format a month (a date in it): `Oktyabr 2025`, `Октябрь 2025`."""
    return text.format_month(value, current_language()) if value else ""


@register.filter
def attribution_link(article):
    """Return the article's attribution line, its source's name linked to the source's page."""
    return article.attribution_html(settings.SITE_NAME)


@register.filter
def change_time(article):
    """Format when the article changed after publication ("14:05"), or ""."""
    if article.changed_at is None:
        return ""
    return text.format_change_time(article.changed_at, article.published_at, article.language)


@register.filter
def meta_description(article):
    """Return the article's lead, else its first sentence, as plain text."""
    # Four tags of the article page ask for it: worked out once per article object.
    if not hasattr(article, "_meta_description"):
        article._meta_description = summary(article)
    return article._meta_description


@register.simple_tag
def og_locale(language=None):
    return OG_LOCALES.get(language or current_language(), "az_AZ")


def live_blog(article, url):
    """Return what makes the article's JSON-LD a LiveBlogPosting: coverage and its updates."""
    updates = article.live_update_list
    times = [update.published_at for update in updates]
    data = {
        "@type": "LiveBlogPosting",
        "coverageStartTime": min([article.published_at, *times]).isoformat(),
        "liveBlogUpdate": [
            {
                "@type": "BlogPosting",
                "headline": Truncator(plain_text(update.body)).chars(110),
                "articleBody": plain_text(update.body),
                "datePublished": update.published_at.isoformat(),
                "url": f"{url}#update-{update.pk}",
            }
            for update in sorted(updates, key=lambda update: update.published_at, reverse=True)
        ],
    }
    if not article.is_live:
        data["coverageEndTime"] = max([article.updated_at, *times]).isoformat()
    return data


@register.simple_tag(takes_context=True)
def news_article_jsonld(context, article):
    """Return the JSON-LD NewsArticle of an article in a <script>, safe whatever its text."""
    request = context["request"]
    url = request.build_absolute_uri(article.get_absolute_url())
    publisher = {"@type": "Organization", "name": settings.SITE_NAME}
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": meta_description(article),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "inLanguage": article.language,
        "author": (
            {"@type": "Person", "name": article.author_name} if article.author_name else publisher
        ),
        "publisher": publisher,
    }
    if article.image:
        data["image"] = [request.build_absolute_uri(article.image.url)]
    if article.source_link:
        data["isBasedOn"] = article.source_link
    if article.live_coverage:
        data.update(live_blog(article, url))
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload.translate(_JSON_SCRIPT_ESCAPES)),  # noqa: S308 - escaped above
    )
