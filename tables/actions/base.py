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
from django.db import DEFAULT_DB_ALIAS, connections, transaction
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


@contextmanager
def locked_table_with_seat(table_id: int | str, user: Any) -> Iterator[tuple[Table, Hand | None, Seat | None]]:
    """``locked_table``, yielding with the table its hand in play and ``user``'s seat (each None when there is none).

    A betting action reads the three on every action, in one statement
    (:class:`_TableHandSeat`). Where the database has no row locks (SQLite:
    the transaction is the lock, ``BEGIN IMMEDIATE``, and its reads all see
    one state) that is all. Where the lock is the table row's ``FOR UPDATE``
    (PostgreSQL) the row is locked first, by a statement of its own
    (:func:`lock_table`): rows joined to a locked one come from the locking
    statement's snapshot, taken before it waited for the lock, and could be
    what the action it waited for just changed. The read after it sees
    every commit before the lock.
    """
    pk = table_pk(table_id)
    with transaction.atomic():
        db = connections[DEFAULT_DB_ALIAS]
        if db.features.has_select_for_update:
            lock_table(pk)
        found = _table_hand_seat.read(db, pk, user.pk)
        if found is None:
            raise errors.NotFound(f"No table {table_id}.")
        yield found


class _TableHandSeat:
    """The table, its live hand (without deck, config, result: as ``live_hand``) and one player's seat: one SELECT.

    Its SQL is written once per process from the models' columns; each row
    becomes instances as the ORM's would (its converters, ``Model.from_db``;
    the hand's left-out fields load on first use).
    """

    LEFT_OUT = ("config", "deck", "result")

    def __init__(self) -> None:
        # vendor -> (sql, [(model, attnames, slice of the row, {position: (converters, column)})]), built on first use.
        self.compiled: dict[str, tuple[str, list[tuple[Any, list[str], slice, dict[int, Any]]]]] = {}

    def read(self, db: Any, table_id: int, user_id: int | None) -> tuple[Table, Hand | None, Seat | None] | None:
        compiled = self.compiled.get(db.vendor)
        if compiled is None:
            compiled = self.compiled[db.vendor] = self._compile(db)
        sql, parts = compiled
        with db.cursor() as cursor:
            cursor.execute(sql, [HandStatus.LIVE.value, user_id, table_id])
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        found = []
        for model, attnames, columns, converters in parts:
            for position, (functions, column) in converters.items():
                value = row[position]
                for convert in functions:
                    value = convert(value, column, db)
                row[position] = value
            # A hand or seat the outer join did not find comes back as NULLs, its id too.
            found.append(None if row[columns.start] is None else model.from_db(db.alias, attnames, row[columns]))
        return found[0], found[1], found[2]

    def _compile(self, db: Any) -> tuple[str, list[tuple[Any, list[str], slice, dict[int, Any]]]]:
        q = db.ops.quote_name
        select, parts = [], []
        for model, alias, left_out in ((Table, "t", ()), (Hand, "h", self.LEFT_OUT), (Seat, "s", ())):
            # The primary key first: whether the outer join found a row.
            fields = sorted((f for f in model._meta.concrete_fields if f.name not in left_out),
                            key=lambda f: not f.primary_key)
            start = len(select)
            converters = {}
            for i, field in enumerate(fields):
                column = field.get_col(alias)
                functions = db.ops.get_db_converters(column) + column.get_db_converters(db)
                if functions:
                    converters[start + i] = (functions, column)
                select.append(f"{alias}.{q(field.column)}")
            parts.append((model, [f.attname for f in fields], slice(start, len(select)), converters))
        hand, seat = Hand._meta, Seat._meta
        sql = (
            f"SELECT {', '.join(select)} FROM {q(Table._meta.db_table)} t"
            f" LEFT OUTER JOIN {q(hand.db_table)} h ON h.{q(hand.get_field('table').column)} = t.{q(Table._meta.pk.column)}"
            f" AND h.{q(hand.get_field('status').column)} = %s"
            f" LEFT OUTER JOIN {q(seat.db_table)} s ON s.{q(seat.get_field('table').column)} = t.{q(Table._meta.pk.column)}"
            f" AND s.{q(seat.get_field('user').column)} = %s"
            f" WHERE t.{q(Table._meta.pk.column)} = %s"
        )
        return sql, parts


_table_hand_seat = _TableHandSeat()


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
