"""What every tournament action shares: the row lock, the ledger accounts, the events' common parts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

from pokerrt import errors
from pokerrt.accounts.actions import account_for
from pokerrt.accounts.models import Account, AccountKind

from .. import snapshots
from ..models import Tournament


def tournament_pk(tournament_id: int | str) -> int:
    try:
        return int(tournament_id)
    except (ValueError, TypeError):
        raise errors.NotFound(f"No tournament {tournament_id}.") from None


def lock_tournament(tournament_id: int | str) -> Tournament:
    """The tournament row, locked until the transaction ends. The one lock order: tournament, then tables, then accounts."""
    tournament = (Tournament.objects.select_for_update().select_related("structure")
                  .filter(pk=tournament_pk(tournament_id)).first())
    if tournament is None:
        raise errors.NotFound(f"No tournament {tournament_id}.")
    return tournament


@contextmanager
def locked_tournament(tournament_id: int | str) -> Iterator[Tournament]:
    """``with locked_tournament(id) as tournament:`` one transaction, the row locked throughout."""
    with transaction.atomic():
        yield lock_tournament(tournament_id)


def pool_account(tournament: Tournament) -> Account:
    """The tournament's prize pool: the buy-ins in, the prizes and refunds out."""
    return account_for(AccountKind.POOL, tournament.pk)


def house_account() -> Account:
    """Where every tournament's fees go; refunds take them back."""
    return account_for(AccountKind.HOUSE, "")


def standing(tournament: Tournament) -> dict[str, Any]:
    """``{tournament, structure, payouts, next_level_at}``: what TOURNAMENT_CREATE and TOURNAMENT_UPDATE carry."""
    registered, prize_pool = tournament.field()
    return {
        **clock_state(tournament),
        "structure": snapshots.structure_levels(tournament.structure),
        "payouts": snapshots.payout_list(tournament, registered, prize_pool),
    }


def clock_state(tournament: Tournament) -> dict[str, Any]:
    """``{tournament, next_level_at}``: every event that moves the clock carries them, so a
    subscriber's status, level, break and countdown stay exact between snapshots."""
    registered, prize_pool = tournament.field()
    return {
        "tournament": snapshots.tournament_info(tournament, registered, prize_pool),
        "next_level_at": snapshots.moment(tournament.period_ends_at),
    }
