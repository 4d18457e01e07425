"""The API's addresses, under /api/v1/ (Azerbaijani) and /ru/api/v1/ (Russian)."""

from django.urls import path, re_path

from articles.api import views

app_name = "api"

urlpatterns = [
    path("", views.ApiRoot.as_view(), name="root"),
    path("articles/", views.ArticleList.as_view(), name="article-list"),
    # At most 18 digits, as the article pages' addresses: a bigger number is no row's id.
    re_path(
        r"^articles/(?P<pk>[0-9]{1,18})/$", views.ArticleDetail.as_view(), name="article-detail"
    ),
    path("latest/", views.LatestArticles.as_view(), name="latest"),
    path("most-read/", views.MostRead.as_view(), name="most-read"),
    path("stories/", views.StoryList.as_view(), name="story-list"),
    re_path(r"^stories/(?P<pk>[0-9]{1,18})/$", views.StoryDetail.as_view(), name="story-detail"),
    path("sources/", views.SourceList.as_view(), name="source-list"),
    path("sources/<slug:slug>/", views.SourceDetail.as_view(), name="source-detail"),
    path("categories/", views.CategoryList.as_view(), name="category-list"),
    path("schema/", views.Schema.as_view(), name="schema"),
    path("docs/", views.Documentation.as_view(), name="docs"),
    re_path(r"^[\s\S]*$", views.NotFound.as_view(), name="not-found"),
]
