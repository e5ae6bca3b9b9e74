"""The Celery app: timers (level-up, breaks, action clocks) and housekeeping tasks."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pokerrt.settings")

app = Celery("pokerrt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
