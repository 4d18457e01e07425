"""The settings read from the environment: each case loads the real settings in a fresh process.

The environment the tests run in (test_settings.py's throwaway secret, DATABASE_URL...) is left
out, so each case sees only the variables it names.
"""

import os
import subprocess
import sys

from django.conf import settings

SECRET = "a-real-looking-secret-Xq8v2LpW9rT4mN7bK3hJ6fD1sA5gZ0cV"
PRODUCTION = {
    "DJANGO_SECRET_KEY": SECRET,
    "DJANGO_ALLOWED_HOSTS": "icma.example.az",
    "DATABASE_URL": "postgres://news:secret@127.0.0.1:5432/newsportal",
}
# What the settings read; none of it may leak in from the environment of the test run.
READ_BY_SETTINGS = ("DJANGO_", "DATABASE_", "VIEWS_", "REDIS_")


def run(args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(READ_BY_SETTINGS)}
    environment.update(env, DJANGO_SETTINGS_MODULE="newsportal.settings")
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )


def manage(*args, **env):
    return run(["manage.py", *args], **env)


def settings_of(expression, **env):
    """Return (exit code, output) of printing `expression` of the settings `s` loaded with `env`."""
    code = (
        f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    )
    result = run(["-c", code], **env)
    return result.returncode, result.stdout + result.stderr


# --- refusing to start half-configured ----------------------------------------------------------


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": ""})

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_a_database_url():
    result = manage("check", **{**PRODUCTION, "DATABASE_URL": ""})

    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_debug_starts_on_sqlite_without_a_secret_key_or_a_database_url():
    assert manage("check", DJANGO_DEBUG="1").returncode == 0
    assert settings_of("s.DATABASES['default']['ENGINE']", DJANGO_DEBUG="1") == (
        0,
        "django.db.backends.sqlite3\n",
    )


def test_buffered_views_need_redis():
    code, output = settings_of("s.VIEWS_BUFFER", DJANGO_DEBUG="1", VIEWS_BUFFER="redis")

    assert code != 0
    assert "VIEWS_BUFFER=redis needs REDIS_URL." in output


# --- production ---------------------------------------------------------------------------------


def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_defaults_redirect_to_https_and_secure_the_cookies():
    def production(**extra):
        expression = (
            "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
            " s.SECURE_HSTS_SECONDS"
        )
        return settings_of(expression, **PRODUCTION, **extra)

    assert production() == (0, "True True True 31536000\n")
    assert production(DJANGO_HSTS_SECONDS="0") == (0, "True True True 0\n")
    assert production(DJANGO_SECURE_SSL_REDIRECT="0") == (0, "False True True 31536000\n")


def test_portal_settings():
    assert settings.TIME_ZONE == "Asia/Baku"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "az"
    assert [code for code, _name in settings.LANGUAGES] == ["az", "ru"]


# --- cache and replicas -------------------------------------------------------------------------


def test_cache_is_the_database_by_default_and_redis_with_redis_url():
    backend = "s.CACHES['default']['BACKEND']"

    assert settings_of(backend, DJANGO_DEBUG="1") == (
        0,
        "newsportal.cache.DatabaseCache\n",
    )
    assert settings_of(
        backend, DJANGO_DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/0", VIEWS_BUFFER="redis"
    ) == (0, "django_redis.cache.RedisCache\n")


REPLICAS = (
    "sorted(s.DATABASES), s.DATABASE_REPLICAS, s.DATABASE_ROUTERS, "
    "[s.DATABASES[a]['TEST'].get('MIRROR') for a in s.DATABASE_REPLICAS]"
)


def test_without_replica_settings_only_default_exists():
    assert settings_of(REPLICAS, DJANGO_DEBUG="1") == (0, "['default'] [] [] []\n")


def test_each_replica_url_becomes_an_alias_behind_the_router():
    urls = "postgres://root@127.0.0.1:5442/portal, postgres://root@127.0.0.1:5443/portal"

    assert settings_of(REPLICAS, DJANGO_DEBUG="1", DATABASE_REPLICA_URL=urls) == (
        0,
        "['default', 'replica_1', 'replica_2'] ['replica_1', 'replica_2'] "
        "['newsportal.replicas.PrimaryReplicaRouter'] ['default', 'default']\n",
    )
