from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from articles import views as article_views
from newsportal import views as project_views

# Sitemaps and robots.txt: one address each, outside the language prefixes.
urlpatterns = [path("", include("articles.machine_urls"))]

# Azerbaijani at the root, Russian under /ru/; the admin too, so editors pick their language.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", article_views.home, name="home"),
    path("", include("articles.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("manifest.webmanifest", project_views.web_manifest, name="web_manifest"),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
