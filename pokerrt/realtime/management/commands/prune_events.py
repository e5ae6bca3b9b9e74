"""Delete journal events past retention (POKERRT_REALTIME RETENTION_EVENTS / RETENTION_HOURS)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from pokerrt.realtime.streams import prune_journal


class Command(BaseCommand):
    help = "Delete journal events that are past every stream's retention."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--keep-events", type=int, default=None, help="last N events per stream")
        parser.add_argument("--keep-hours", type=float, default=None, help="events younger than T hours")

    def handle(self, *args, keep_events=None, keep_hours=None, **options):  # type: ignore[no-untyped-def]
        deleted = prune_journal(keep_events=keep_events, keep_hours=keep_hours)
        if options["verbosity"]:
            self.stdout.write(f"pruned {deleted} events")
