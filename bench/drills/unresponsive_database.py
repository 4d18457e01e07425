"""Drill: a database that accepts connections and never answers.

A TCP server on 127.0.0.1 accepts every connection and stays silent; gunicorn runs the site with
DATABASE_URL pointing at it. Readers must get the 503 page within 5 s (the connect timeout,
DATABASE_CONNECT_TIMEOUT), not a 30 s hang and a 500. Prints each page's status and seconds.

    .venv/bin/python bench/drills/unresponsive_database.py
"""

import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import support  # noqa: E402

PATHS = ["/", "/ru/", "/healthz", "/accounts/login/", "/search/?q=xeber"]


def black_hole():
    """Accept connections and never send a byte; return the port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held = []

    def accept():
        while True:
            connection, _address = server.accept()
            held.append(connection)  # kept open, never answered

    threading.Thread(target=accept, daemon=True).start()
    return server.getsockname()[1]


def get(url):
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, time.monotonic() - started, body.decode("utf-8", "replace")


def main():
    database_port, web_port = black_hole(), support.free_port()
    env = support.site_env(f"postgres://portal@127.0.0.1:{database_port}/newsportal")
    # The production settings serve hashed static files: the 503 page's stylesheet needs them.
    support.manage(env, "collectstatic", "--noinput", "-v0")
    gunicorn = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"), "newsportal.wsgi", "-w", "2", "--timeout", "60",
            "-b", f"127.0.0.1:{web_port}", "--log-level", "error", "--error-logfile", "-",
        ],
        cwd=ROOT, env=env, stderr=None if "-v" in sys.argv else subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", web_port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        worst = 0.0
        for path in PATHS:
            status, seconds, body = get(f"http://127.0.0.1:{web_port}{path}")
            worst = max(worst, seconds)
            calm = "briefly unavailable" in body or "qısa müddətə" in body or "unavailable" in body
            print(f"{path:22} HTTP {status}  {seconds:5.2f} s  {'503 page' if calm else ''}")
        print(f"slowest answer: {worst:.2f} s ({'within' if worst <= 5 else 'OVER'} 5 s)")
        return 0 if worst <= 5 else 1
    finally:
        support.stop(gunicorn)


if __name__ == "__main__":
    sys.exit(main())
