"""Shared by the drills: run manage.py and gunicorn against a given database, watch workers."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
SECRET = secrets.token_urlsafe(50)


def site_env(database_url, **extra):
    """Production settings on plain HTTP on 127.0.0.1, with the drills' limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VIEWS_"))}
    env.pop("REDIS_URL", None)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_LEVEL="ERROR",
        # Drills post far more than a real reader may.
        COMMENTS_PER_MINUTE="100000",
        COMMENTS_PER_DAY="1000000",
    )
    env.update(extra)
    return env


def manage(env, *args, quiet=True):
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if quiet else None,
    ).stdout


def prepare(env):
    """Migrate, create the cache table, collect static files and import the seeds."""
    for command in (["migrate", "--noinput"], ["createcachetable"], ["collectstatic", "--noinput"]):
        manage(env, *command)
    manage(env, "import_seeds")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env, port, workers=2, threads=1, log=None):
    """Serve the site; the workers' error log (tracebacks of a drill's outage) goes to `log`."""
    process = subprocess.Popen(
        [
            GUNICORN,
            "newsportal.wsgi",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=open(log, "a") if log else None,  # noqa: SIM115 (the child keeps it)
    )
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            if requests.get(f"http://127.0.0.1:{port}/robots.txt", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer")


def stop(process):
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def worker_pids(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return sorted(int(pid) for pid in children.read_text().split()) if children.exists() else []


def rss_kib(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status)[1])


class PlainHTTPSession(requests.Session):
    """Send the production cookies (marked Secure) back over the drills' plain HTTP, as a
    browser behind the deployment's TLS proxy would."""

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
