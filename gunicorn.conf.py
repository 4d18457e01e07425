"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py newsportal.wsgi`.

Sync workers: each request is a few milliseconds of CPU (pages come from the cache or render
quickly), so more processes, not threads, use the cores; gthread measured no better here.
Every value can be overridden from the environment.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request stuck longer than this (a hung upstream) is killed instead of holding a worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Behind a proxy keep-alive is the proxy's job; a little helps load balancers that reuse.
keepalive = 5
# Recycle workers now and then, so a slow leak in any library never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Load the app before forking: workers share its memory and start at once.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
