from django.urls import re_path

from articles import views

app_name = "articles"

urlpatterns = [
    # The id finds the article; the slug is decoration, corrected by a redirect when wrong.
    re_path(r"^news/(?P<slug>[^/]*)-(?P<pk>[0-9]{1,18})$", views.article_detail, name="detail"),
]
