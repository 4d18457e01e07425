"""Drill: 60 sign-ups from one address in a row, then one from another address.

Before the limits all 60 went through (in 71 s, each hashing a password). Now at most
SIGNUPS_PER_ADDRESS_PER_HOUR (5) do; the rest get the 429 page. Runs the real sign-up view
with the production password hasher against a throwaway SQLite database and its database cache
(or REDIS_URL's cache if set), and prints how many got through and how long it took.

    .venv/bin/python bench/drills/signups.py
"""

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ATTEMPTS = 60


def main():
    database = Path(tempfile.mkdtemp()) / "drill.sqlite3"
    os.environ.update(
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="newsportal.settings",
        DJANGO_LOG_LEVEL="ERROR",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    statuses = Counter()
    started = time.monotonic()
    for number in range(ATTEMPTS):
        client = Client(REMOTE_ADDR="203.0.113.7")
        response = client.post(
            "/accounts/signup/",
            {
                "username": f"drill{number}",
                "email": f"drill{number}@example.com",
                "password1": "Qarabag-2026-bahar",
                "password2": "Qarabag-2026-bahar",
            },
        )
        statuses[response.status_code] += 1
    seconds = time.monotonic() - started
    other = Client(REMOTE_ADDR="203.0.113.8").post(
        "/accounts/signup/",
        {
            "username": "another",
            "email": "another@example.com",
            "password1": "Qarabag-2026-bahar",
            "password2": "Qarabag-2026-bahar",
        },
    )
    accounts = get_user_model().objects.count()
    print(
        f"{ATTEMPTS} sign-ups from one address in {seconds:.1f} s: "
        f"{statuses[302]} got through, {statuses[429]} refused with 429"
    )
    print(f"another address afterwards: HTTP {other.status_code}; accounts in all: {accounts}")
    return 0 if statuses[302] <= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
