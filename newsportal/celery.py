"""The Celery application: ingestion and Telegram posts on a task queue.

Tasks live in articles/tasks.py (ingestion) and articles/telegram/tasks.py (channel posts).

Configured from Django's settings (the CELERY_* names); `celery -A newsportal worker` runs
tasks, `celery -A newsportal beat` sends the due sources and posts every 30 seconds.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsportal.settings")

app = Celery("newsportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["articles.telegram"])
