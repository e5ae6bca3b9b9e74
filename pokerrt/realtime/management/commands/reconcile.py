"""Run one reconciler pass now and print what it found (docs/sync.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from pokerrt.realtime.reconcile import reconcile


class Command(BaseCommand):
    help = "Check every active stream against its rules; mend what can be mended (--dry-run: only look)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--mend", dest="mend", action="store_true", default=True,
                          help="mend through actions and report the rest (the default)")
        mode.add_argument("--dry-run", dest="mend", action="store_false", help="only look: change nothing")

    def handle(self, *args, mend=True, **options):  # type: ignore[no-untyped-def]
        findings = reconcile(mend=mend)
        if not findings:
            self.stdout.write("no drift found")
            return
        rows = [("OUTCOME", "STREAM", "RULE", "MEND", "MESSAGE")] + [
            (f.outcome, f"{f.problem.target}.{f.problem.stream_id}", f.problem.rule, f.problem.mend or "-",
             f.problem.message) for f in findings
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[4])
