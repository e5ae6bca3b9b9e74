"""Prove chip conservation; exit non-zero on any mismatch."""

from django.core.management.base import BaseCommand, CommandError

from pokerrt.accounts.audit import audit, summary


class Command(BaseCommand):
    help = "Check that wallets + tables + prize pools equal every chip ever issued."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        totals = summary()
        issued = -totals.get("mint", 0)
        for kind in ("wallet", "table", "pool"):
            self.stdout.write(f"{kind:>8}: {totals.get(kind, 0):>14,}")
        self.stdout.write(f"{'issued':>8}: {issued:>14,}")
        problems = audit()
        if problems:
            for problem in problems:
                self.stderr.write(f"MISMATCH {problem}")
            raise CommandError(f"chip audit failed: {len(problems)} problem(s)")
        self.stdout.write(self.style.SUCCESS("chips conserved"))
