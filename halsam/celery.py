"""The Celery application.

Without ``CELERY_BROKER_URL`` the settings make every task run eagerly in-process, so a
one-machine installation needs no broker; ``manage.py run_due_jobs`` then runs the
periodic work (see docs/operations.md).
"""
from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halsam.settings")

app = Celery("halsam")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
