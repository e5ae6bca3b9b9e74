"""Locks and lookups every table action starts from, and the names of the table's timers.

The one lock order: table rows first, by ascending id when an action takes
more than one (:func:`locked_tables`); then seats; then ledger accounts,
which ``pokerrt.accounts`` locks in id order itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pokerrt import errors
from pokerrt.hotpath import HotQuery

from ..models import Hand, HandStatus, Seat, Table


def table_pk(table_id: int | str) -> int:
    try:
        return int(table_id)
    except (ValueError, TypeError):
        raise errors.NotFound(f"No table {table_id}.") from None


_locked_table = HotQuery(lambda pk: Table.objects.select_for_update().filter(pk=pk).order_by()[:1])
# The deck and config are read only to rebuild the engine's hand, when this
# process has no current copy (tables.live): not on every action.
_live_hand = HotQuery(lambda table_pk, live: Hand.objects.filter(table_id=table_pk).filter(status=live)
                      .defer("config", "deck", "result").order_by("pk")[:1])
_seat_of = HotQuery(lambda table_pk, user_pk: Seat.objects.filter(table_id=table_pk).filter(user_id=user_pk).order_by("pk")[:1])
_occupied = HotQuery(lambda table_pk: Seat.objects.filter(table_id=table_pk, user__isnull=False).order_by("number"))
_occupied_with_players = HotQuery(lambda table_pk: Seat.objects.filter(table_id=table_pk, user__isnull=False)
                                  .select_related("user").order_by("number"))


def lock_table(table_id: int | str) -> Table:
    """The table row, locked until the transaction ends. The one lock order: table first."""
    table = _locked_table.first(table_pk(table_id))
    if table is None:
        raise errors.NotFound(f"No table {table_id}.")
    return table


@contextmanager
def locked_table(table_id: int | str) -> Iterator[Table]:
    """``with locked_table(id) as table:`` one transaction, the table row locked throughout."""
    with transaction.atomic():
        yield lock_table(table_id)


@contextmanager
def locked_tables(*table_ids: int | str) -> Iterator[list[Table]]:
    """Several tables in one transaction, locked by ascending id; yielded in the order asked."""
    pks = [table_pk(table_id) for table_id in table_ids]
    with transaction.atomic():
        tables = {pk: lock_table(pk) for pk in sorted(set(pks))}
        yield [tables[pk] for pk in pks]


def seat_of(table: Table, user: Any) -> Seat | None:
    return _seat_of.first(table.pk, user.pk) if user.pk is not None else None


def occupied_seats(table: Table) -> list[Seat]:
    """The seats a player holds, by number (every hand's end reads them)."""
    return _occupied.all(table.pk)


def occupied_seats_with_players(table: Table) -> list[Seat]:
    """The seats a player holds, by number, each with its ``user`` read in the same query (a deal)."""
    return _occupied_with_players.all(table.pk)


def own_seat(table: Table, user: Any) -> Seat:
    """The user's seat at ``table``; CONFLICT when they have none."""
    seat = seat_of(table, user)
    if seat is None:
        raise errors.Conflict("You have no seat at this table.")
    return seat


def held_seat(table: Table, number: int, user_id: int) -> Seat | None:
    """Seat ``number`` if ``user_id`` still sits there: a timer set for them may outlive their stay."""
    return Seat.objects.filter(table=table, number=number, user_id=user_id).first()


def live_hand(table: Table) -> Hand | None:
    return _live_hand.first(table.pk, HandStatus.LIVE.value)


def dealt_in(hand: Hand, seat: Seat) -> bool:
    """Whether the seat's player was dealt into ``hand``.

    Folded or not, their chips are settled only when the hand ends: the seat's
    stack is what they started it with, part of which may now be in the pot.
    """
    return hand.players.get(str(seat.number)) == seat.user_id


def now() -> dt.datetime:
    return timezone.now()


def conf(name: str) -> Any:
    return settings.POKERRT_TABLES[name]


# --- Timer keys (pokerrt.timers): one pending deadline per key ---------------------------------


def next_hand_timer(table: Table) -> str:
    return f"table:{table.pk}:next_hand"


def action_timer(table: Table) -> str:
    return f"table:{table.pk}:action"


def sit_out_timer(table: Table, number: int) -> str:
    return f"table:{table.pk}:seat:{number}:sit_out"


def grace_timer(table: Table, number: int) -> str:
    return f"table:{table.pk}:seat:{number}:grace"
