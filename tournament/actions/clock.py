"""The tournament clock: levels and breaks on a ``pokerrt.timers`` deadline.

One deadline per tournament (``tournament:<id>:clock``) ends the level or
break in play; its payload carries ``clock_version`` so a wake-up from before
a pause (or any reschedule) does nothing. A level followed by a break sets
``break_pending``: the tables finish their hands and hold, and BREAK_START
goes out once none is in a hand (here, or after the last hand ends).
"""

from __future__ import annotations

import datetime as dt

from pokerrt import clock
from pokerrt.realtime.envelope import format_timestamp
from pokerrt.realtime.streams import emit
from pokerrt.timers import schedule
from tables.models import Hand, HandStatus, TableStatus

from .. import lobby_rows
from ..models import BlindLevel, Tournament, TournamentStatus, TournamentTable
from .base import clock_state, standing

CLOCK = "tournament.clock"


def clock_timer(tournament_id: int) -> str:
    return f"tournament:{tournament_id}:clock"


def current_level(tournament: Tournament) -> BlindLevel:
    return BlindLevel.objects.get(structure_id=tournament.structure_id, number=max(tournament.level, 1))


def is_last_level(tournament: Tournament) -> bool:
    return not BlindLevel.objects.filter(structure_id=tournament.structure_id,
                                         number__gt=tournament.level).exists()


def start_period(tournament: Tournament, minutes: float) -> None:
    """The level or break in play ends ``minutes`` from now; the last level never ends."""
    tournament.clock_version += 1
    if not tournament.on_break and is_last_level(tournament):
        tournament.period_ends_at = None
    else:
        tournament.period_ends_at = clock.now() + dt.timedelta(minutes=minutes)
        schedule(clock_timer(tournament.pk), CLOCK, tournament.period_ends_at,
                 {"tournament_id": tournament.pk, "version": tournament.clock_version})
    tournament.save(update_fields=["clock_version", "period_ends_at"])


def clock_expired(tournament: Tournament, version: int) -> list[int]:
    """The level or break ended (the tournament row locked); the tables to ask for a hand."""
    if version != tournament.clock_version or tournament.status != TournamentStatus.RUNNING:
        return []
    if tournament.on_break:
        tournament.on_break = False
        tournament.save(update_fields=["on_break"])
        emit("TOURNAMENT", tournament.pk, "BREAK_END", {"level": tournament.level + 1, **clock_state(tournament)})
        level_up(tournament)
        return _open_table_ids(tournament)
    if current_level(tournament).break_minutes:
        tournament.break_pending = True
        tournament.period_ends_at = None
        tournament.save(update_fields=["break_pending", "period_ends_at"])
        # The countdown stops until every table has finished its hand: say so.
        emit("TOURNAMENT", tournament.pk, "TOURNAMENT_UPDATE", standing(tournament))
        maybe_start_break(tournament)
        return []
    level_up(tournament)
    return []


def level_up(tournament: Tournament) -> None:
    """The next level: new blinds from each table's next hand (the policy reads the level)."""
    tournament.level += 1
    tournament.save(update_fields=["level"])
    level = current_level(tournament)
    start_period(tournament, level.minutes)
    ends_at = tournament.period_ends_at
    emit("TOURNAMENT", tournament.pk, "LEVEL_UP", {
        "level": tournament.level, "small_blind": level.small_blind, "big_blind": level.big_blind,
        "ante": level.ante, "ends_at": format_timestamp(ends_at) if ends_at is not None else None,
        **clock_state(tournament),
    })
    lobby_rows.mark(tournament)


def maybe_start_break(tournament: Tournament) -> None:
    """BREAK_START once a pending break finds no table in a hand."""
    if not tournament.break_pending or tournament.status != TournamentStatus.RUNNING:
        return
    tables = TournamentTable.objects.filter(tournament=tournament, table__status=TableStatus.OPEN)
    if Hand.objects.filter(table_id__in=tables.values("table_id"), status=HandStatus.LIVE).exists():
        return
    tournament.break_pending = False
    tournament.on_break = True
    tournament.save(update_fields=["break_pending", "on_break"])
    start_period(tournament, current_level(tournament).break_minutes)
    assert tournament.period_ends_at is not None
    emit("TOURNAMENT", tournament.pk, "BREAK_START",
         {"ends_at": format_timestamp(tournament.period_ends_at), **clock_state(tournament)})
    lobby_rows.mark(tournament)


def _open_table_ids(tournament: Tournament) -> list[int]:
    return list(TournamentTable.objects.filter(tournament=tournament, table__status=TableStatus.OPEN)
                .order_by("table_id").values_list("table_id", flat=True))
