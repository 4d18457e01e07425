"""Addresses for machines, outside the language prefixes: sitemaps and robots.txt."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path
from django.views.decorators.cache import cache_page

from articles import views
from articles.sitemaps import SITEMAPS

SITEMAP_CACHE_SECONDS = 15 * 60
NEWS_SITEMAP_CACHE_SECONDS = 5 * 60

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path(
        "sitemap.xml",
        cache_page(SITEMAP_CACHE_SECONDS)(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    # Before the generic section route: the news section has a template of its own.
    path(
        "sitemap-news.xml",
        cache_page(NEWS_SITEMAP_CACHE_SECONDS)(sitemap_views.sitemap),
        {"sitemaps": {"news": SITEMAPS["news"]}, "template_name": "sitemaps/news.xml"},
        name="sitemap-news",
    ),
    path(
        "sitemap-<section>.xml",
        cache_page(SITEMAP_CACHE_SECONDS)(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]
