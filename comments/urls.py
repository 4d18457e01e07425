from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("comments/post/<int:pk>/", views.post_comment, name="post"),
    path("comments/<int:pk>/remove/", views.remove_comment, name="remove"),
]
