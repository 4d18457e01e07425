"""The Celery application: ingestion on a task queue (tasks in articles/tasks.py).

Configured from Django's settings (the CELERY_* names); `celery -A newsportal worker` runs
tasks, `celery -A newsportal beat` sends the due sources every 30 seconds.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsportal.settings")

app = Celery("newsportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
