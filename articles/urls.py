from django.urls import path, re_path

from articles import feeds, views

app_name = "articles"

urlpatterns = [
    # The id finds the article; the slug is decoration, corrected by a redirect when wrong.
    re_path(r"^news/(?P<slug>[^/]*)-(?P<pk>[0-9]{1,18})$", views.article_detail, name="detail"),
    path("sources/", views.source_list, name="sources"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("source/<slug:slug>/", views.SourceView.as_view(), name="source"),
    path("source/<slug:slug>/rss/", feeds.SourceFeed(), name="source-rss"),
    path("source/<slug:slug>/atom/", feeds.SourceAtomFeed(), name="source-atom"),
    path("category/<slug:slug>/", views.CategoryView.as_view(), name="category"),
    path("category/<slug:slug>/rss/", feeds.CategoryFeed(), name="category-rss"),
    path("category/<slug:slug>/atom/", feeds.CategoryAtomFeed(), name="category-atom"),
    path("label/<slug:slug>/", views.LabelView.as_view(), name="label"),
    path("tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("tag/<slug:slug>/rss/", feeds.TagFeed(), name="tag-rss"),
    path("tag/<slug:slug>/atom/", feeds.TagAtomFeed(), name="tag-atom"),
    path("archive/", views.archive_index, name="archive"),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views.MonthDaysView.as_view(),
        name="archive_month",
    ),
    re_path(
        r"^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/$",
        views.DayArticlesView.as_view(),
        name="archive_day",
    ),
    path("search/", views.search_view, name="search"),
    path("rss/", feeds.LatestArticlesFeed(), name="rss"),
    path("atom/", feeds.LatestArticlesAtomFeed(), name="atom"),
    path("most-read/", views.most_read, name="most_read"),
    path("stories/", views.story_list, name="stories"),
]
