"""A scratch PostgreSQL database with N generated articles, shared by the bench scripts."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ADMIN_DSN = "host=127.0.0.1 user=root dbname=postgres"
SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def database_url(database):
    return f"postgres://root@127.0.0.1:5432/{database}"


def site_env(database, **extra):
    """Production settings on the scratch database, plain HTTP on 127.0.0.1."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "VIEWS_", "PAGE_CACHE", "FRAGMENT_CACHE"))
        and key not in {"REDIS_URL", "DATABASE_URL"}
    }
    env.update(
        DATABASE_URL=database_url(database),
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="WARNING",
        VIEWS_REDIS_PREFIX=f"bench-{database}:",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def manage(database, *args, quiet=True):
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=site_env(database),
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def article_count(database):
    try:
        with psycopg.connect(f"host=127.0.0.1 user=root dbname={database}") as db:
            return db.execute("SELECT count(*) FROM articles_article").fetchone()[0]
    except psycopg.Error:
        return None


def prepare(database, articles, log=print):
    """Create (or reuse, if it already holds `articles` generated ones) a scratch database."""
    found = article_count(database)
    if found is not None and found >= articles:
        log(f"reusing database {database} ({found} articles)")
        manage(database, "migrate", "--noinput")
        manage(database, "collectstatic", "--noinput")
        return
    drop(database)
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    manage(database, "migrate", "--noinput")
    manage(database, "createcachetable")
    manage(database, "collectstatic", "--noinput")
    manage(database, "import_seeds")
    log(f"generating {articles} articles in {database}...")
    manage(database, "generate_articles", str(articles - (article_count(database) or 0)))


def drop(database):
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
