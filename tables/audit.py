"""Chips at tables agree with the ledger: the tables app's part of audit_chips."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Sum

from pokerrt.accounts.models import Account, AccountKind

from . import live
from .models import Hand, HandStatus, Seat


def table_chip_problems() -> Iterator[str]:
    """Seat stacks of each table equal its ledger account; live hands lose no chip."""
    stacks = dict(Seat.objects.values_list("table_id").annotate(total=Sum("stack")).order_by())
    accounts = dict(Account.objects.filter(kind=AccountKind.TABLE).values_list("ref", "balance"))
    for table_id in sorted(set(stacks) | {int(ref) for ref in accounts}):
        held = accounts.get(str(table_id), 0)
        seated = stacks.get(table_id) or 0
        if held != seated:
            yield f"table {table_id}: seat stacks {seated} but table account {held}"
    for hand in Hand.objects.filter(status=HandStatus.LIVE):
        dealt = live.engine_hand(hand)
        started = sum(entry["stack"] for entry in hand.config["seats"])
        now = sum(dealt.stacks.values()) + dealt.pot_total
        if started != now:
            yield f"hand {hand.pk}: started with {started} chips, holds {now}"
