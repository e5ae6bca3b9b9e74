"""What tournament tests share: a picture of everything a refused action must leave alone."""

from __future__ import annotations

from typing import Any

from pokerrt.accounts.models import Account, LedgerEntry
from pokerrt.realtime.models import Event
from tournament.models import BlindLevel, BlindStructure, Entry, Tournament


def world() -> dict[str, Any]:
    """Balances, ledger, journal, tournaments, structures and entries, as plain values."""
    return {
        "balances": sorted(Account.objects.values_list("kind", "ref", "balance")),
        "ledger": LedgerEntry.objects.count(),
        "journal": Event.objects.count(),
        "tournaments": list(Tournament.objects.order_by("id").values()),
        "structures": list(BlindStructure.objects.order_by("id").values()),
        "levels": BlindLevel.objects.count(),
        "entries": list(Entry.objects.order_by("id").values()),
    }
