"""Deadlines: one row per timed thing, the source of truth for every timer.

Wake-ups (Celery messages, in-process asyncio timers) are only hints that a
row may be due; the row decides. Rows are never deleted, so a key's version
only grows and a wake-up left over from an earlier scheduling can never match.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models


class DeadlineQuerySet(models.QuerySet["Deadline"]):
    def pending(self) -> DeadlineQuerySet:
        """Neither fired nor cancelled, soonest first."""
        return self.filter(fired_at__isnull=True, cancelled_at__isnull=True).order_by("due_at")

    def overdue(self, now: datetime) -> DeadlineQuerySet:
        return self.pending().filter(due_at__lte=now)


class Deadline(models.Model):
    # Names the owner and what is timed, e.g. "table:17:action",
    # "tournament:4:level", "seat:93:grace". One pending deadline per key.
    key = models.CharField(max_length=200, unique=True)
    # The registered name of the handler to run (pokerrt.timers.registry).
    handler = models.CharField(max_length=100)
    # When it fires (UTC).
    due_at = models.DateTimeField()
    # Bumped by every schedule and cancel; a wake-up carries the version it
    # was asked for and does nothing if the row has moved on.
    version = models.PositiveBigIntegerField(default=0)
    # Small and JSON: the ids the handler needs, never state.
    payload = models.JSONField(default=dict, blank=True)
    fired_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        indexes = [
            # The sweep's query: pending deadlines by due time.
            models.Index(
                fields=["due_at"],
                name="deadline_pending_due",
                condition=models.Q(fired_at__isnull=True, cancelled_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version} @ {self.due_at:%Y-%m-%dT%H:%M:%S.%fZ}"

    @property
    def is_pending(self) -> bool:
        return self.fired_at is None and self.cancelled_at is None
