"""POKERRT_SYNC_INTERVAL puts the reconciler on Celery beat and the in-process loop, or on neither."""

import json
import os
import subprocess
import sys

from django.conf import settings

PROBE = (
    "import json, pokerrt.settings as s; "
    "print(json.dumps([s.CELERY_BEAT_SCHEDULE.get('sync-reconcile'), s.POKERRT_HOUSEKEEPING]))"
)


def settings_with(interval: str | None):
    env = {k: v for k, v in os.environ.items() if k != "POKERRT_SYNC_INTERVAL"}
    if interval is not None:
        env["POKERRT_SYNC_INTERVAL"] = interval
    env.setdefault("DJANGO_SECRET_KEY", "pokerrt-tests-only")
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True,
                         cwd=settings.BASE_DIR)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_default_interval_runs_a_pass_every_30_seconds_in_both_profiles():
    beat, housekeeping = settings_with(None)
    assert beat == {"task": "realtime.reconcile", "schedule": 30.0, "options": {"expires": 30.0}}
    assert ["pokerrt.realtime.reconcile.reconcile_pass", 30.0] in housekeeping


def test_a_zero_interval_turns_the_reconciler_off():
    beat, housekeeping = settings_with("0")
    assert beat is None
    assert all(path != "pokerrt.realtime.reconcile.reconcile_pass" for path, _ in housekeeping)


def test_the_beat_task_is_registered_under_its_scheduled_name():
    from pokerrt.celery import app

    app.loader.import_default_modules()
    assert "realtime.reconcile" in app.tasks
