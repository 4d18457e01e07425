from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from articles import views as article_views
from newsportal import accounts
from newsportal import views as project_views

# Sitemaps and robots.txt: one address each, outside the language prefixes.
urlpatterns = [
    path("", include("articles.machine_urls")),
    path("healthz", project_views.healthz, name="healthz"),
]

# Azerbaijani at the root, Russian under /ru/; the admin too, so editors pick their language.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    # The public JSON API: /api/v1/ in Azerbaijani, /ru/api/v1/ in Russian (articles/api/).
    path("api/v1/", include("articles.api.urls")),
    path("", article_views.home, name="home"),
    path("", include("articles.urls")),
    path("", include("comments.urls")),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        accounts.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("manifest.webmanifest", project_views.web_manifest, name="web_manifest"),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "newsportal.views.bad_request"
handler500 = "newsportal.views.server_error"
