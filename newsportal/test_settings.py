"""Settings for the test suite: the real settings with a throwaway secret and fast hashing."""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
# The production settings want an explicit database; the tests' default is the SQLite file's name
# (pytest-django runs them in a test database of its own).
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{Path(__file__).resolve().parent.parent / 'db.sqlite3'}"
)

from newsportal.settings import *  # noqa: E402,F403

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# No collectstatic before tests: plain storage instead of the hashed manifest.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Django's test client logs in without a request, which django-axes refuses; the log-in
# throttling tests switch it on again with the `settings` fixture.
AXES_ENABLED = False

# Most tests look at freshly rendered pages and count their queries; the caching tests
# (articles/tests/test_caching.py) switch the caches on with the `settings` fixture.
FRAGMENT_CACHE_SECONDS = 0
PAGE_CACHE_SECONDS = 0
PAGE_CACHE_LOCAL_SECONDS = 0  # a change shows at once (test_caching.py tests the local copies)

# On SQLite, a test database file rather than memory: the live server's request threads then
# open connections of their own instead of sharing the test thread's (which SQLite refuses).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"]["NAME"] = str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")  # noqa: F405

# A replica for the router's tests: the test database itself, mirrored (Django's TEST MIRROR).
# The router is installed but idle until a test lists the alias in DATABASE_REPLICAS.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
DATABASE_ROUTERS = ["newsportal.replicas.PrimaryReplicaRouter"]

# Ingestion tasks run where they are sent (articles/tests/test_tasks.py).
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
