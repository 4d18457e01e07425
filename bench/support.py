"""What the benchmarks (bench/perf/) and drills (bench/drills/) share.

The site's settings for a scratch database, manage.py and gunicorn against it, scratch
databases on the machine's PostgreSQL and throw-away clusters of our own, a Django set up in
the script's own process, and readers who log in and comment through the real forms.
"""

import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import django
import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
# The PostgreSQL server scratch databases are made on (the machine's main cluster by default).
SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/postgres")
REDIS_URL = "redis://127.0.0.1:6379/0"
SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
MOBILE_BROWSER = (
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
)
# What browsers send as Accept: a request without one is not counted as a reader's view.
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SEED_SLUG = "strateji-muttefiqliyin-yeni-merhelesi"  # the seed article (seeds/)
# The caller's own settings never leak into a run: only what the script sets counts.
_OWN_SETTINGS = ("DJANGO_", "VIEWS_", "PAGE_CACHE", "FRAGMENT_CACHE", "COMMENTS_PER_")
_OWN_NAMES = {"REDIS_URL", "DATABASE_URL", "DATABASE_REPLICA_URL"}


# Settings and manage.py


def database_url(name, server=SERVER_URL):
    """The URL of database `name` on the server of `server` (a postgres:// URL)."""
    return server.rsplit("/", 1)[0] + f"/{name}"


def site_env(url, **extra):
    """Production settings on database `url`, plain HTTP on 127.0.0.1; `extra` added last."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_OWN_SETTINGS) and key not in _OWN_NAMES
    }
    env.update(
        DATABASE_URL=url,
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="WARNING",
        VIEWS_REDIS_PREFIX=f"bench-{url.rsplit('/', 1)[1]}:",
        # Every simulated reader comes from 127.0.0.1: no limit per address unless asked for.
        VIEWS_MAX_PER_ADDRESS="0",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def drill_env(url, **extra):
    """site_env() for the drills: only errors logged, and readers may post far more than a
    real one may."""
    limits = {"COMMENTS_PER_MINUTE": "100000", "COMMENTS_PER_DAY": "1000000"}
    return site_env(url, DJANGO_LOG_LEVEL="ERROR", **{**limits, **extra})


def manage(env, *args, quiet=True):
    """Run manage.py with `env`; return its output (None when not quiet)."""
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if quiet else None,
    ).stdout


def prepare_site(env):
    """Migrate, create the cache table, collect static files and import the seeds."""
    for command in (["migrate", "--noinput"], ["createcachetable"], ["collectstatic", "--noinput"]):
        manage(env, *command)
    manage(env, "import_seeds")


def setup_django(env, settings="newsportal.settings"):
    """Set this process's Django up on `env` (a site_env()), before any project import."""
    os.environ.clear()  # exactly `env`, as a child process started with it would have
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    django.setup()


# Scratch databases


def create_database(name, server=SERVER_URL):
    """Create database `name` on the server of `server`; return its URL."""
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return database_url(name, server)


def drop_database(name, server=SERVER_URL):
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(url, sql, params=()):
    """All rows of one query on database `url`."""
    with psycopg.connect(url) as db:
        return db.execute(sql, params).fetchall()


def article_count(name, server=SERVER_URL):
    try:
        return query(database_url(name, server), "SELECT count(*) FROM articles_article")[0][0]
    except psycopg.Error:
        return None


def generated_database(name, articles, log=print):
    """Create (or reuse, if it already holds `articles`) a database of generated articles;
    return its URL. Kept for the next run: drop_database() removes it."""
    url = database_url(name)
    env = site_env(url)
    found = article_count(name)
    if found is not None and found >= articles:
        log(f"reusing database {name} ({found} articles)")
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        return url
    drop_database(name)
    create_database(name)
    prepare_site(env)
    log(f"generating {articles} articles in {name}...")
    manage(env, "generate_articles", str(articles - (article_count(name) or 0)))
    return url


def postgres_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"{name} not found: apt-get install postgresql")
    return found[-1]


def as_postgres(*command):
    """Run a PostgreSQL server tool as the postgres user (initdb and postgres refuse root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + list(command), check=True, capture_output=True, text=True)


class Cluster:
    """A throw-away PostgreSQL cluster of ours on `port`, never the machine's main one.

    Its data live in `data` (by default in a new folder under /tmp, removed by destroy());
    sockets and logs beside it. Its superuser is `root`, trusted from 127.0.0.1 like the main
    cluster's. `options` are more server settings (-c name=value).
    """

    def __init__(self, port, data=None, options=""):
        if data is None:
            folder = Path(tempfile.mkdtemp(prefix="newsportal-pg-"))
            folder.chmod(0o777)  # the postgres user writes its socket and log here
            data = folder / "data"
        self.port, self.data, self.dir = port, Path(data), Path(data).parent
        self.options = f"-p {port} -c listen_addresses=127.0.0.1 -k {self.dir} {options}"

    def url(self, database="postgres"):
        return f"postgres://root@127.0.0.1:{self.port}/{database}"

    def init(self):
        initdb = [postgres_bin("initdb"), "-D", str(self.data), "-U", "root", "--auth=trust"]
        as_postgres(*initdb, "-E", "UTF8", "--locale=C.UTF-8")
        return self

    def ctl(self, *args):
        pg_ctl = [postgres_bin("pg_ctl"), "-D", str(self.data), "-l", f"{self.data}.log", "-w"]
        as_postgres(*pg_ctl, "-o", self.options, *args)

    def start(self):
        for attempt in range(10):
            try:
                self.ctl("start")
                break
            except subprocess.CalledProcessError:
                if attempt == 9:
                    raise
                time.sleep(0.5)  # the port of a cluster that just stopped may still be held
        self.wait_ready()
        return self

    def stop(self, mode="fast"):
        if (self.data / "postmaster.pid").exists():
            self.ctl("stop", "-m", mode)

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                psycopg.connect(self.url(), connect_timeout=1).close()
                return
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise RuntimeError(f"the cluster on {self.port} did not come up")

    def destroy(self):
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already down
        shutil.rmtree(self.dir, ignore_errors=True)


# Serving the site


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# How the drills serve the site: 2 sync workers, the request timeout of production.
DRILL_GUNICORN = ("-w", "2", "--threads", "1", "--timeout", "30", "--log-level", "warning")


def start_gunicorn(env, port, *options, app="newsportal.wsgi", log=None):
    """Serve `app` on 127.0.0.1:`port` with gunicorn `options`; return once it answers.

    The workers' error log (tracebacks of a drill's outage) goes to the file `log`.
    """
    errors = open(log, "a") if log else subprocess.DEVNULL  # noqa: SIM115 (the child keeps it)
    process = subprocess.Popen(
        [GUNICORN, *options, app, "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )
    for _ in range(300):
        if process.poll() is not None:
            tail = Path(log).read_text()[-2000:] if log else ""
            raise RuntimeError(f"gunicorn exited\n{tail}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.1)
    stop(process)
    raise RuntimeError("gunicorn did not answer")


def start_flusher(env, log=None):
    """`flush_views --every 1`: the Redis-buffered views reach the database each second."""
    return subprocess.Popen(
        [PYTHON, "manage.py", "flush_views", "--every", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "a") if log else subprocess.DEVNULL,  # noqa: SIM115
    )


def stop(process):
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_pids(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return sorted(int(pid) for pid in children.read_text().split()) if children.exists() else []


def rss_kib(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status)[1])


# Readers


class PlainHTTPSession(requests.Session):
    """Send the production cookies (marked Secure) back over plain HTTP, as a browser behind
    the deployment's TLS proxy would."""

    def request(self, *args, **kwargs):
        for cookie in self.cookies:
            cookie.secure = False
        return super().request(*args, **kwargs)


def log_in(base, username, password):
    """Return a requests session logged in through the real log-in form."""
    session = PlainHTTPSession()
    session.headers["User-Agent"] = f"{BROWSER} reader-{username}"
    page = session.get(f"{base}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    answer = session.post(
        f"{base}/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"log-in of {username} failed: {answer.status_code}")
    return session


def create_readers(env, names, password):
    """Create one user per name (through manage.py shell, in the site's own settings)."""
    code = "from django.contrib.auth import get_user_model; User = get_user_model()\n" + "".join(
        f"User.objects.create_user('{name}', '{name}@example.com', '{password}')\n"
        for name in names
    )
    manage(env, "shell", "-c", code)


def post_comment(session, base, article, body):
    """Post a comment as a reader would, from the article page.

    Return (status, comment id or None, text of the answer, whether the page was shown: a view).
    """
    page = session.get(base + article, timeout=10)
    if page.status_code != 200:
        return page.status_code, None, page.text, False
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    number = re.search(r"-(\d+)$", article)[1]
    answer = session.post(
        f"{base}/comments/post/{number}/",
        {"body": body, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=10,
    )
    found = re.search(r"#comment-(\d+)$", answer.headers.get("Location", ""))
    return answer.status_code, int(found[1]) if found else None, answer.text, True


def serve_feed(body):
    """Serve `body` as an RSS feed on a free loopback port; return (server, feed URL)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_port}/rss"
