"""Settings of the news portal, read from the environment.

Development: `DJANGO_DEBUG=1` (the Makefile's `run` sets it) and an SQLite file.
Production: `DJANGO_DEBUG` unset, `DJANGO_SECRET_KEY`, `DATABASE_URL` and
`DJANGO_ALLOWED_HOSTS` set.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-never-used-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

SITE_NAME = os.environ.get("SITE_NAME", "Icma.az")
# The brand's logo: a path under static/ (square, SVG or PNG), shown beside the name.
SITE_LOGO = os.environ.get("SITE_LOGO", "logo.svg")

# Production never falls back to the SQLite file: a forgotten DATABASE_URL must not start an
# empty site.
if not DEBUG and not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Set it to the production database, e.g. "
        "postgres://user:password@host:5432/newsportal, or set DJANGO_DEBUG=1 for local "
        "development on SQLite."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "axes",
    # Versions of articles (articles/desk/versions.py).
    "reversion",
    # The body editor's assets (ProseMirror, served from our static files; no CDN).
    "django_prose_editor",
    # The public JSON API (articles/api/): REST framework, its OpenAPI schema, the
    # documentation page's Swagger UI assets (served by us, no CDN), CORS for other sites.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "articles",
    "comments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The CSP on every response, error pages included (newsportal/security.py).
    "newsportal.security.ContentSecurityPolicyMiddleware",
    # Bodies over the limits below are refused (413) before anything reads them.
    "newsportal.security.RequestSizeLimitMiddleware",
    # CORS on the API's answers (CORS_URLS_REGEX) and its preflights, answered here.
    "corsheaders.middleware.CorsMiddleware",
    # Static files, compressed and hashed, before anything else looks at the request.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous readers' article and list pages from the cache (PAGE_CACHE_SECONDS): a hit is
    # answered here, counted, and skips everything below (articles/caching/pages.py).
    "articles.caching.pages.PageCacheMiddleware",
    # The fragments a page rendered are stored in one cache write once it is made.
    "articles.caching.fragments.FragmentWritesMiddleware",
    # HTML compresses to a fifth; CSRF tokens are masked per response, which defeats BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # PUT, DELETE and the like: 405 on every page before the CSRF check (security.py).
    "newsportal.security.PageMethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Counts article views on the way out (pages answered by the page cache count themselves).
    "articles.counting.middleware.ViewCountingMiddleware",
    # Public pages' reads from a replica when DATABASE_REPLICA_URL is set (newsportal/replicas.py);
    # below the counter, whose writes are no reader's own and pin nobody to the primary.
    "newsportal.replicas.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The admin's addresses with NUL bytes in the query, refused with a message (security.py).
    "newsportal.security.AdminNulQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a throttled log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsportal.urls"
WSGI_APPLICATION = "newsportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsportal.context_processors.portal",
                # The page's cached pieces, read in one round trip (articles/caching/).
                "articles.caching.fragments.page_fragments",
            ],
        },
    },
]

# The embedded default is an SQLite file next to manage.py; production sets DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# A database that accepts connections but never answers must not hold readers: libpq gives up
# connecting after DATABASE_CONNECT_TIMEOUT seconds and the server cancels any statement running
# longer than DATABASE_STATEMENT_TIMEOUT milliseconds; either error is the 503 page
# (newsportal/views.py). 0 switches either off (e.g. `DATABASE_STATEMENT_TIMEOUT=0 manage.py
# migrate` for a long migration).
DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3"))
DATABASE_STATEMENT_TIMEOUT = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "5000"))


def database_timeouts(database, connect_timeout=None):
    """Add the connect and statement timeouts to a PostgreSQL database's settings."""
    if "postgresql" not in database["ENGINE"]:
        return database
    options = database.setdefault("OPTIONS", {})
    connect = DATABASE_CONNECT_TIMEOUT if connect_timeout is None else connect_timeout
    if connect:
        options["connect_timeout"] = connect
    if DATABASE_STATEMENT_TIMEOUT:
        extra = options.get("options", "")
        options["options"] = f"{extra} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT}".strip()
    return database


database_timeouts(DATABASES["default"])
# A test database of its own per run, so two runs on one machine never collide.
TEST_DATABASE_NAME = os.environ.get("DATABASE_TEST_NAME")
if not TEST_DATABASE_NAME and "postgresql" in DATABASES["default"]["ENGINE"]:
    TEST_DATABASE_NAME = f"test_newsportal_{os.getpid()}"
DATABASES["default"]["TEST"] = {"NAME": TEST_DATABASE_NAME}

# Read replicas (newsportal/replicas.py): PostgreSQL hot standbys of the primary, one URL or
# several separated by commas. Public pages read from them; writes, admin and editors use the
# primary. Unset: only "default" exists and no router is installed.
DATABASE_REPLICAS = []
for number, url in enumerate(
    filter(None, (each.strip() for each in os.environ.get("DATABASE_REPLICA_URL", "").split(","))),
    start=1,
):
    alias = f"replica_{number}"
    DATABASES[alias] = dj_database_url.parse(
        url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
    # A replica that is down is noticed at once and its readers sent to the primary.
    database_timeouts(DATABASES[alias], connect_timeout=2)
    DATABASES[alias]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(alias)
DATABASE_ROUTERS = ["newsportal.replicas.PrimaryReplicaRouter"] if DATABASE_REPLICAS else []
# After a write, the writer's pages are read from the primary this long (read-your-writes).
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "10"))
# A replica that refused a connection is not tried again for this long.
REPLICA_RETRY_SECONDS = int(os.environ.get("REPLICA_RETRY_SECONDS", "5"))
# Count where reads went, per database alias, in Redis (the scale-out drill reads it).
DATABASE_ROUTING_TALLY = env_bool("DATABASE_ROUTING_TALLY", False)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Axes first: it refuses attempts on locked accounts and IPs before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "newsportal.accounts.EmailOrUsernameBackend",
]
# Failed log-ins: 5 for one account from one address, or 5 from one address whatever the
# accounts, then a 15-minute wait (django-axes, counted in the database so every web process
# sees the same numbers). Never per account alone: failures from elsewhere must not lock an
# editor out everywhere; the owner still logs in from the addresses the attacker does not use,
# such as the one they always log in from.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_USERNAME_CALLABLE = "newsportal.accounts.lockout_username"
AXES_LOCKOUT_CALLABLE = "newsportal.accounts.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every manage.py command; lockouts are still logged
# The address as every limit reads it: VIEWS_CLIENT_IP_HEADER behind a proxy, IPv6 per /64.
AXES_CLIENT_IP_CALLABLE = "newsportal.ratelimit.client_address"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Password-reset mail: printed to the console in development, SMTP from the environment else.
if DEBUG and not os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
    EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"no-reply@{SITE_NAME.lower()}")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sign-ups and password-reset e-mails: most per hour from one address and for one e-mail address
# (newsportal/ratelimit.py; 0: no limit). Each sign-up hashes a password, each reset sends mail.
SIGNUPS_PER_ADDRESS_PER_HOUR = int(os.environ.get("SIGNUPS_PER_ADDRESS_PER_HOUR", "5"))
SIGNUPS_PER_EMAIL_PER_HOUR = int(os.environ.get("SIGNUPS_PER_EMAIL_PER_HOUR", "3"))
PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = int(
    os.environ.get("PASSWORD_RESETS_PER_ADDRESS_PER_HOUR", "10")
)
PASSWORD_RESETS_PER_EMAIL_PER_HOUR = int(os.environ.get("PASSWORD_RESETS_PER_EMAIL_PER_HOUR", "3"))

# Readers' comments: most a reader may post per minute and per day.
COMMENTS_PER_MINUTE = int(os.environ.get("COMMENTS_PER_MINUTE", "5"))
COMMENTS_PER_DAY = int(os.environ.get("COMMENTS_PER_DAY", "50"))

LANGUAGE_CODE = "az"
LANGUAGES = [("az", _("Azerbaijani")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Baku"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# One cache shared by every web process: Redis when REDIS_URL is set, else a database table
# (created by `migrate`: articles/migrations/0010_cache_table.py). It holds, among other
# things, who has been counted recently.
REDIS_URL = os.environ.get("REDIS_URL", "")
# How long one Redis call may take (connect, then each read), and how long a cache that failed
# is left alone before it is tried again; meanwhile pages are served uncached.
CACHE_TIMEOUT_SECONDS = float(os.environ.get("CACHE_TIMEOUT_SECONDS", "0.5"))
CACHE_RETRY_SECONDS = float(os.environ.get("CACHE_RETRY_SECONDS", "5"))
if REDIS_URL:
    CACHES = {
        # django-redis keeps one redis-py client per server (Django's own RedisCache builds one
        # per call, 0.3 ms each: more than the round trip on loopback).
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that is down or silent costs a reader at most this long, then the page is
            # rendered without the cache (articles/caching/__init__.py).
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": CACHE_TIMEOUT_SECONDS,
                "SOCKET_TIMEOUT": CACHE_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {
        "default": {
            # Django's, writing with one upsert and culling expired rows every CULL_EVERY
            # writes instead of counting the table on each (newsportal/cache.py).
            "BACKEND": "newsportal.cache.DatabaseCache",
            "LOCATION": "django_cache",
            # Room for the visitors of the last half hour before culling forgets any of them.
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "200000"))},
        }
    }

# Ingestion on Celery (articles/tasks.py, newsportal/celery.py) when a broker is named, e.g.
# redis://127.0.0.1:6379/1: `celery -A newsportal worker` and `celery -A newsportal beat`.
# Without one, `manage.py import_feeds --due --every 30` runs the same code in one process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL  # no broker: a task runs where it is sent
# A task is acknowledged when it has finished, so a worker killed mid-import leaves it queued
# for another worker; importing twice is harmless (one article per source URL).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands an unacknowledged task to another worker after this long (a killed worker's):
# a task still running then is harmless, as the second copy finds its source locked.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
# How often beat sends the due sources (each source's own schedule decides which are due).
INGEST_BEAT_SECONDS = float(os.environ.get("INGEST_BEAT_SECONDS", "30"))
CELERY_BEAT_SCHEDULE = {
    "enqueue-due-sources": {
        "task": "articles.tasks.enqueue_due_sources",
        "schedule": INGEST_BEAT_SECONDS,
    },
    # A story's counts leave out its scheduled articles until their time: recounted as often.
    "refresh-due-stories": {
        "task": "articles.tasks.refresh_due_stories",
        "schedule": INGEST_BEAT_SECONDS,
    },
}
CELERY_TIMEZONE = TIME_ZONE

# Telegram channel posts (articles/telegram/): a bot posts each published article to the channel
# of its language ("@icma_az", or a private channel's numeric id). No token: posting is off.
TELEGRAM_BOT_TOKEN = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
TELEGRAM_CHANNELS = {
    language: channel
    for language, channel in (
        ("az", os.environ.get("TELEGRAM_CHANNEL_AZ", "").strip()),
        ("ru", os.environ.get("TELEGRAM_CHANNEL_RU", "").strip()),
    )
    if channel
}
# The Bot API's address: Telegram's, a self-hosted telegram-bot-api server, or a test's fake.
# It is the operator's choice, not a feed's, so it may be a loopback or private address.
TELEGRAM_API_BASE = os.environ.get("TELEGRAM_API_BASE", "https://api.telegram.org").rstrip("/")
# Posts link to our pages: the site's public address, e.g. https://icma.az.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if TELEGRAM_BOT_TOKEN and not SITE_URL:
    raise ImproperlyConfigured(
        "TELEGRAM_BOT_TOKEN is set but SITE_URL is not: set SITE_URL to the site's public "
        "address (e.g. https://icma.az) so that posts can link to its pages."
    )
# Only articles published this recently are posted by themselves (a first start, or an import
# of old entries, never floods a channel); an editor who publishes one posts it whatever its age.
TELEGRAM_POST_MAX_AGE_MINUTES = int(os.environ.get("TELEGRAM_POST_MAX_AGE_MINUTES", "120"))
# The longest one Bot API call may take, connection to last byte.
TELEGRAM_TIMEOUT_SECONDS = float(os.environ.get("TELEGRAM_TIMEOUT_SECONDS", "15"))
# How often beat looks for posts to send, retry or edit (without a broker: each import round).
TELEGRAM_BEAT_SECONDS = float(os.environ.get("TELEGRAM_BEAT_SECONDS", "30"))
CELERY_BEAT_SCHEDULE["telegram-due-posts"] = {
    "task": "articles.telegram.tasks.send_due_posts",
    "schedule": TELEGRAM_BEAT_SECONDS,
}

# Caching (articles/caching/): the sidebar blocks per language, and whole pages for anonymous
# readers (on by default in production). Both are invalidated when articles change; the TTLs
# also bound how late a scheduled article appears. 0 switches either off.
FRAGMENT_CACHE_SECONDS = int(os.environ.get("FRAGMENT_CACHE_SECONDS", "60"))
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "0" if DEBUG else "30"))
# Each process also keeps the pages it read from the shared cache this many seconds (a hot
# page costs no cache read then; a change reaches such copies this much later), up to this size.
PAGE_CACHE_LOCAL_SECONDS = int(os.environ.get("PAGE_CACHE_LOCAL_SECONDS", "2"))
PAGE_CACHE_LOCAL_BYTES = int(os.environ.get("PAGE_CACHE_LOCAL_BYTES", str(32 * 1024 * 1024)))

# View counting (articles/counting/). "db": every view is written at once; "redis": views are
# buffered in Redis and `manage.py flush_views` moves them to the database.
VIEWS_COUNTING = env_bool("VIEWS_COUNTING", True)
VIEWS_BUFFER = os.environ.get("VIEWS_BUFFER", "db").strip().lower() or "db"
if VIEWS_BUFFER not in {"db", "redis"}:
    raise ImproperlyConfigured("VIEWS_BUFFER must be 'db' or 'redis'.")
if VIEWS_BUFFER == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("VIEWS_BUFFER=redis needs REDIS_URL.")
# One visitor counts once per article per this many seconds.
VIEWS_VISITOR_WINDOW = int(os.environ.get("VIEWS_VISITOR_WINDOW", "1800"))
# Where the visitor's address is read. Behind a proxy that sets X-Real-IP, use HTTP_X_REAL_IP;
# X-Forwarded-For is not trusted by default (any client can send it).
VIEWS_CLIENT_IP_HEADER = os.environ.get("VIEWS_CLIENT_IP_HEADER", "REMOTE_ADDR")
# One address adds at most this many counted views a minute, whatever its User-Agents or
# cookies (0: no limit, for benchmarks from one machine). Addresses in these networks (carrier
# NAT, a university's proxy: many readers behind one address) may add the higher number.
VIEWS_MAX_PER_ADDRESS = int(os.environ.get("VIEWS_MAX_PER_ADDRESS", "60"))
VIEWS_HIGH_LIMIT_NETWORKS = env_list("VIEWS_HIGH_LIMIT_NETWORKS", "")
VIEWS_MAX_PER_SHARED_ADDRESS = int(os.environ.get("VIEWS_MAX_PER_SHARED_ADDRESS", "1000"))
try:
    for _network in VIEWS_HIGH_LIMIT_NETWORKS:
        ipaddress.ip_network(_network, strict=False)
except ValueError as error:
    raise ImproperlyConfigured(f"VIEWS_HIGH_LIMIT_NETWORKS: {error}") from None
# Prefix of the Redis keys of the view buffer and of who was counted lately.
VIEWS_REDIS_PREFIX = os.environ.get("VIEWS_REDIS_PREFIX", "views:")

# Feed import (articles/importers/): the longest one response (a feed, a picture) may take,
# headers to last byte, whatever the server does; and whether fetches may reach private and
# loopback addresses (tests, an intranet). Off, feed URLs, their redirects and pictures must
# resolve to public addresses only.
FEED_FETCH_SECONDS = float(os.environ.get("FEED_FETCH_SECONDS", "30"))
FEED_IMPORT_PRIVATE_HOSTS = env_bool("FEED_IMPORT_PRIVATE_HOSTS", False)
# Pictures inside imported bodies are downloaded (the same limits and checks as the lead
# picture) and served from our storage: the CSP allows only our own images, and readers'
# browsers then ask no source site for anything. At most this many per entry; 0: none (they
# are dropped from the body).
FEED_BODY_PICTURES = int(os.environ.get("FEED_BODY_PICTURES", "10"))
# "Fetch now" in the admin imports in a thread and waits this long for it; a slower import goes
# on in the background and the source's last import shows its outcome.
FEED_FETCH_NOW_WAIT_SECONDS = float(os.environ.get("FEED_FETCH_NOW_WAIT_SECONDS", "5"))

# The public JSON API (articles/api/): read-only, no accounts, JSON in and out.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    # Anonymous: no session is read, so no CSRF applies and nobody sees more than readers.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["articles.api.throttling.AddressThrottle"],
    "EXCEPTION_HANDLER": "articles.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # OPTIONS is no method of ours (CORS preflights are answered by the CORS middleware).
    "DEFAULT_METADATA_CLASS": None,
}
# Requests a minute one address may make to the API (0: no limit); more get a 429.
API_THROTTLE = int(os.environ.get("API_THROTTLE", "120"))
# How long clients and proxies may keep an API answer without asking again (Cache-Control).
API_CACHE_SECONDS = int(os.environ.get("API_CACHE_SECONDS", "30"))
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": (
        "The published news of the portal as JSON, read-only. Azerbaijani at /api/v1/, "
        "Russian at /ru/api/v1/ (or ?lang=az|ru anywhere). Lists page with cursors: follow "
        "`next`. Every answer has an ETag and Last-Modified; send them back as If-None-Match "
        "or If-Modified-Since to get a 304. Errors are JSON: code, detail, errors."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/(ru/)?api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "articles.api.schema.complete",
    ],
}
# CORS: any site may read the API from its visitors' browsers (GET, no cookies); nothing else
# of ours is shared.
CORS_URLS_REGEX = r"^/(ru/)?api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "accept-language", "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = ("ETag", "Retry-After", "Content-Language")
CORS_PREFLIGHT_MAX_AGE = 86400

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# Sent in every mode, also with DJANGO_SECURE_SSL_REDIRECT=0 (a proxy redirects, or plain HTTP
# on 127.0.0.1): only the redirect, the secure cookies and HSTS depend on HTTPS.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy: no inline or foreign scripts anywhere. The admin alone also allows
# inline styles: Django's own admin templates and widgets carry style attributes (style can
# restyle a page but never runs script).
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    # Click-to-load embeds only, and only from these hosts (articles/embeds.py FRAME_HOSTS).
    "frame-src": "https://www.youtube-nocookie.com https://www.instagram.com "
    "https://platform.twitter.com https://www.facebook.com https://t.me",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
CSP_ADMIN_STYLE_SRC = "'self' 'unsafe-inline'"
# Browser features no page of ours uses, refused to every origin (newsportal/security.py).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "usb",
    )
)  # fmt: skip
# Request bodies: 2.5 MB of form data (Django's default, stated here as policy), at most 1000
# fields; larger bodies get a 413 page (newsportal/views.py). Images uploaded by editors are
# checked against ARTICLE_IMAGE_MAX_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
ARTICLE_IMAGE_MAX_BYTES = int(os.environ.get("ARTICLE_IMAGE_MAX_BYTES", str(5 * 1024 * 1024)))
# One pixel limit for uploads and imported pictures (articles/images.py): a 24-megapixel camera
# photo passes, a decompression bomb does not.
ARTICLE_IMAGE_MAX_PIXELS = int(os.environ.get("ARTICLE_IMAGE_MAX_PIXELS", "25000000"))
# An article's gallery (FOTOLAR) holds at most this many pictures; one admin save may upload
# this many new ones (the request limit in newsportal/security.py allows for it).
ARTICLE_GALLERY_MAX_PICTURES = 12
ADMIN_UPLOADS_PER_SAVE = 6
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
# Only a proxy in front may say a request came over HTTPS: without DJANGO_TRUSTED_PROXY_HEADER a
# client reaching gunicorn directly could claim it with its own X-Forwarded-Proto header.
if env_bool("DJANGO_TRUSTED_PROXY_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
