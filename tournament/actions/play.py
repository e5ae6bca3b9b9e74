"""A tournament in play: the start and its seating, late seats, pause and resume.

The start seats every entry at random over the fewest tables, balanced, the
tables made through the table actions with the tournament's seating policy
(``tournament.policy``); the clock (``clock``) and what follows each hand
(``hands``) take it from there.
"""

from __future__ import annotations

import math
import random

from pokerrt import clock, errors
from pokerrt.accounts.models import user_ref
from pokerrt.realtime.streams import emit, emit_many
from pokerrt.timers import cancel
from tables import actions as table_actions
from tables.models import Hand, HandStatus, Seat, Table, TableKind, TableStatus

from .. import balancing, lobby_rows, snapshots
from ..models import Entry, EntryStatus, Tournament, TournamentStatus, TournamentTable
from ..payouts import payouts
from .base import clock_state, locked_tournament, standing
from .clock import clock_expired, clock_timer, current_level, maybe_start_break, start_period
from .tournaments import cancel_and_refund, start_timer

# A buy-in range no tournament table uses: its policy refuses every buy-in but the tournament's own.
_MAX_TABLE_CHIPS = 2_000_000_000

_rng: random.Random = random.SystemRandom()


def use_rng(rng: random.Random) -> random.Random:
    """Draw seats and balancing from ``rng`` (tests and the simulation seed it); returns the one replaced."""
    global _rng
    previous, _rng = _rng, rng
    return previous


def rng() -> random.Random:
    return _rng


def open_tables(tournament: Tournament) -> list[TournamentTable]:
    return list(TournamentTable.objects.filter(tournament=tournament, table__status=TableStatus.OPEN)
                .select_related("table").order_by("table_id"))


def do_start_tournament(tournament_id: int | str) -> Tournament:
    """Staff start: CONFLICT unless registering with at least ``min_players``."""
    with locked_tournament(tournament_id) as tournament:
        if tournament.status != TournamentStatus.REGISTERING:
            raise errors.Conflict("Only a tournament that is registering can start.")
        registered, _ = tournament.field()
        if registered < tournament.min_players:
            raise errors.Conflict(f"{registered} players registered; the tournament needs {tournament.min_players}.")
        start(tournament)
        return tournament


def start(tournament: Tournament) -> None:
    """Seat everyone at random over the fewest tables, balanced; level 1 begins and the tables deal."""
    entries = list(tournament.live_entries().select_related("user").order_by("id"))
    _rng.shuffle(entries)
    count = max(1, math.ceil(len(entries) / tournament.table_size))
    tournament.status = TournamentStatus.RUNNING
    tournament.level = 1
    tournament.started_at = clock.now()
    tournament.save(update_fields=["status", "level", "started_at"])
    cancel(start_timer(tournament.pk))
    seating = []
    for index in range(count):
        group = entries[index::count]
        table = new_table(tournament, index + 1)
        numbers = _rng.sample(range(1, tournament.table_size + 1), len(group))
        players = []
        for entry, number in sorted(zip(group, numbers, strict=True), key=lambda pair: pair[1]):
            seat_entry(entry, table, number)
            players.append({"user": user_ref(entry.user), "seat": number, "chips": entry.chips})
        seating.append({"table_id": str(table.pk), "players": players})
    start_period(tournament, current_level(tournament).minutes)
    hand_for_hand(tournament)  # a field one off the money starts on the bubble
    emit("TOURNAMENT", tournament.pk, "TOURNAMENT_START",
         {"tables": seating, "level": tournament.level, **clock_state(tournament)})
    emit_many([("PLAYER", entry.user_id, "TOURNAMENT_START", {
        "tournament_id": str(tournament.pk), "table_id": str(entry.table_id), "seat": entry.seat,
        "registrations": snapshots.player_registrations(entry.user),
    }) for entry in sorted(entries, key=lambda e: e.pk)])
    lobby_rows.mark(tournament)


def new_table(tournament: Tournament, number: int) -> Table:
    level = current_level(tournament)
    table = table_actions.do_create_table(
        tournament.lobby, f"{tournament.name} #{number}", kind=TableKind.TOURNAMENT,
        max_seats=tournament.table_size, small_blind=level.small_blind, big_blind=level.big_blind,
        ante=level.ante, min_buy_in=1, max_buy_in=_MAX_TABLE_CHIPS,
    )
    TournamentTable.objects.create(tournament=tournament, table=table)
    return table


def seat_entry(entry: Entry, table: Table, number: int | None) -> None:
    """Seat the entry with its chips through the table actions (the policy mints them in)."""
    entry.status = EntryStatus.PLAYING
    entry.table = table
    entry.seat = None
    entry.save(update_fields=["status", "table", "seat"])
    seat = table_actions.do_join_table(entry.user, table.pk, entry.chips, number)
    entry.seat = seat.number
    entry.save(update_fields=["seat"])


def seat_late(tournament: Tournament, entry: Entry) -> None:
    """A late entry takes a seat at the table with the fewest players (a new table if all are full)."""
    best: Table | None = None
    fewest = tournament.table_size
    for held in open_tables(tournament):
        players = Seat.objects.filter(table=held.table, user__isnull=False).count()
        if players < fewest:
            best, fewest = held.table, players
    if best is None:
        best = new_table(tournament, TournamentTable.objects.filter(tournament=tournament).count() + 1)
    seat_entry(entry, best, None)


def do_pause(tournament_id: int | str) -> Tournament:
    """Stop the clock, keeping what is left of the level or break; tables deal no new hand."""
    with locked_tournament(tournament_id) as tournament:
        if tournament.status != TournamentStatus.RUNNING:
            raise errors.Conflict("Only a running tournament can be paused.")
        if tournament.period_ends_at is not None:
            left = (tournament.period_ends_at - clock.now()).total_seconds()
            tournament.paused_seconds_left = max(0.0, left)
        tournament.status = TournamentStatus.PAUSED
        tournament.period_ends_at = None
        tournament.clock_version += 1
        tournament.save(update_fields=["status", "paused_seconds_left", "period_ends_at", "clock_version"])
        cancel(clock_timer(tournament.pk))
        _announce(tournament)
        return tournament


def do_resume(tournament_id: int | str) -> Tournament:
    """Start the clock again where it stopped; the tables deal again."""
    with locked_tournament(tournament_id) as tournament:
        if tournament.status != TournamentStatus.PAUSED:
            raise errors.Conflict("Only a paused tournament can resume.")
        tournament.status = TournamentStatus.RUNNING
        left, tournament.paused_seconds_left = tournament.paused_seconds_left, None
        tournament.save(update_fields=["status", "paused_seconds_left"])
        if left is not None:
            start_period(tournament, left / 60)
        _announce(tournament)
        # A break that waited for the hands while paused: they may all have ended meanwhile,
        # and with no hand left to end nothing else would start it.
        maybe_start_break(tournament)
        poke(tournament)
        return tournament


def poke(tournament: Tournament, tables: list[int] | None = None) -> None:
    """Ask the tables (all open ones by default) for their next hand: what held them may have gone."""
    ids = tables if tables is not None else [held.table_id for held in open_tables(tournament)]
    for table_id in ids:
        table_actions.do_request_hand(table_id)


def _announce(tournament: Tournament) -> None:
    emit("TOURNAMENT", tournament.pk, "TOURNAMENT_UPDATE", standing(tournament))
    lobby_rows.mark(tournament)


def players_of(tables: list[TournamentTable]) -> dict[int, dict[int, int]]:
    """Table id -> {seat number: user id} of the occupied seats."""
    seated: dict[int, dict[int, int]] = {held.table_id: {} for held in tables}
    rows = Seat.objects.filter(table_id__in=list(seated), user__isnull=False).values_list(
        "table_id", "number", "user_id")
    for table_id, number, user_id in rows:
        seated[table_id][number] = user_id
    return seated


def do_clock_expired(tournament_id: int | str, version: int) -> None:
    """The clock's deadline: the level or break in play ended."""
    with locked_tournament(tournament_id) as tournament:
        poke(tournament, clock_expired(tournament, version))


def do_scheduled_start(tournament_id: int | str) -> None:
    """``starts_at`` came: start with ``min_players`` or more, else cancel and refund everyone."""
    with locked_tournament(tournament_id) as tournament:
        if tournament.status != TournamentStatus.REGISTERING:
            return
        registered, _ = tournament.field()
        if registered < tournament.min_players:
            cancel_and_refund(tournament)
        else:
            start(tournament)


# --- Hand-for-hand -------------------------------------------------------------------------------


def hand_for_hand(tournament: Tournament) -> set[int]:
    """On the money bubble each table plays one hand, then waits for the others; the tables to ask for a hand."""
    tables = open_tables(tournament)
    entrants, pool = tournament.field()
    paid = len(payouts(pool, entrants, tournament.payout_structure, tournament.payout_percentages))
    left = Entry.objects.filter(tournament=tournament, status=EntryStatus.PLAYING).count()
    due = balancing.hand_for_hand(left, paid, len(tables))
    ids = {held.table_id for held in tables}
    if not due:
        if tournament.hand_for_hand:
            tournament.hand_for_hand = False
            tournament.save(update_fields=["hand_for_hand"])
            return ids
        return set()
    if not tournament.hand_for_hand:
        tournament.hand_for_hand = True
        tournament.hand_round += 1
        tournament.save(update_fields=["hand_for_hand", "hand_round"])
        # Tables in a hand now count it as this round's.
        return ids
    if round_over(tournament, tables, players_of(tables)):
        tournament.hand_round += 1
        tournament.save(update_fields=["hand_round"])
        return ids
    return set()


def round_over(tournament: Tournament, tables: list[TournamentTable], seated: dict[int, dict[int, int]]) -> bool:
    """Every table played the hand-for-hand round's hand and none is in a hand.

    A table that cannot deal (one player left) has nothing to wait for.
    """
    if Hand.objects.filter(table_id__in=[held.table_id for held in tables], status=HandStatus.LIVE).exists():
        return False
    return all(held.played_round >= tournament.hand_round or len(seated[held.table_id]) < 2 for held in tables)
