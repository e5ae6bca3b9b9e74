"""Housekeeping of the real-time core, as thin Celery tasks."""

from __future__ import annotations

from celery import shared_task

from .streams import prune_journal


@shared_task(name="realtime.prune_journal")
def prune_journal_task() -> int:
    """Run every few minutes (Celery beat, or the in-process timer loop)."""
    return prune_journal()


@shared_task(name="realtime.reconcile")
def reconcile_task() -> int:
    """Every POKERRT_SYNC_INTERVAL seconds (Celery beat, or the in-process loop)."""
    from .reconcile import reconcile_pass

    return reconcile_pass()
