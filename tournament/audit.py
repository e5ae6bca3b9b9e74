"""Chips in prize pools and fees agree with the entries: the tournament's part of audit_chips."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Sum

from pokerrt.accounts.models import Account, AccountKind

from .models import FEE_RETURNED, GONE, Entry, EntryStatus, Tournament, TournamentStatus, TournamentTable


def tournament_chip_problems() -> Iterator[str]:
    """Each pool holds its live entries' buy-ins less the prizes paid; the house holds their fees."""
    live = Entry.objects.exclude(status__in=GONE)
    totals = live.values("tournament_id").annotate(buy_ins=Sum("buy_in"), prizes=Sum("prize")).order_by()
    owed = {row["tournament_id"]: row["buy_ins"] - row["prizes"] for row in totals}
    pools = dict(Account.objects.filter(kind=AccountKind.POOL).values_list("ref", "balance"))
    # Every tournament, entries or not; a pool account no tournament owns is
    # the ledger's own business (its entries still prove its balance).
    for tournament_id in Tournament.objects.order_by("pk").values_list("pk", flat=True):
        held = pools.get(str(tournament_id), 0)
        expected = owed.get(tournament_id, 0)
        if held != expected:
            yield f"tournament {tournament_id}: pool {held} but buy-ins less prizes {expected}"
    fees = live.exclude(status__in=FEE_RETURNED).aggregate(total=Sum("fee", default=0))["total"]
    house = Account.objects.filter(kind=AccountKind.HOUSE).aggregate(total=Sum("balance", default=0))["total"]
    if house != fees:
        yield f"house account {house} but the live entries paid {fees} in fees"


def tournament_table_chip_problems() -> Iterator[str]:
    """A tournament in play holds, over all its tables, the starting stacks of the entries it seated.

    Tournament chips are minted into a table's account when the tournament
    seats a player and go back to the mint only when the last table closes.
    """
    playing = (TournamentStatus.RUNNING.value, TournamentStatus.PAUSED.value)
    for tournament in Tournament.objects.filter(status__in=playing).order_by("pk"):
        seated = Entry.objects.filter(tournament=tournament, status__in=[
            EntryStatus.PLAYING, EntryStatus.ELIMINATED]).count()
        refs = [str(pk) for pk in TournamentTable.objects.filter(tournament=tournament)
                .values_list("table_id", flat=True)]
        held = Account.objects.filter(kind=AccountKind.TABLE, ref__in=refs).aggregate(
            total=Sum("balance", default=0))["total"]
        if held != seated * tournament.starting_stack:
            yield (f"tournament {tournament.pk}: its tables hold {held} chips, "
                   f"not {seated} seated x {tournament.starting_stack}")
