"""What follows a hand at a tournament table: eliminations, balancing, hand-for-hand, breaks, the end.

A table's policy schedules the after-hands deadline when a hand is settled
(``tournament.policy``); :func:`do_after_hands` runs it in its own
transaction, the tournament row locked first (one at a time per
tournament), then each table as the table actions lock it. Players a hand
left without chips were stood up when it settled; here they are eliminated.
"""

from __future__ import annotations

import time
from collections import defaultdict
from itertools import groupby
from typing import Any

from django.contrib.auth import get_user_model

from pokerrt import clock
from pokerrt.accounts.actions import do_transfer, wallet_of
from pokerrt.accounts.models import Reason, user_ref
from pokerrt.realtime.streams import emit, emit_many
from pokerrt.timers import cancel
from tables import actions as table_actions
from tables.models import Hand, HandPlayer, HandStatus, Seat

from .. import balancing, lobby_rows, snapshots
from ..models import Entry, EntryStatus, Tournament, TournamentStatus, TournamentTable
from ..payouts import payouts, split
from .base import locked_tournament, pool_account, standing
from .clock import clock_timer, maybe_start_break
from .play import hand_for_hand, open_tables, players_of, poke, rng, round_over

# Seconds each balancing decision took (``balancing.plan``): the simulation reports them.
decision_seconds: list[float] = []


def do_after_hands(tournament_id: int | str) -> None:
    """Eliminate the busted, end the tournament or balance its tables, and move the clock's holds on."""
    with locked_tournament(tournament_id) as tournament:
        if tournament.status not in (TournamentStatus.RUNNING, TournamentStatus.PAUSED):
            return
        tables = open_tables(tournament)
        seated = players_of(tables)
        if not tournament.hand_for_hand:
            eliminate(tournament, seated)
        elif round_over(tournament, tables, seated):
            # The round's busts are placed together, as if in one hand, whichever table was faster.
            eliminate(tournament, seated, one_round=True)
        moved_chips = sync_chips(tournament)
        if moved_chips:
            # The standings follow the hands: without this a TOURNAMENT subscriber's
            # chips would stay at the start's until a fresh snapshot.
            emit("TOURNAMENT", tournament.pk, "TOURNAMENT_UPDATE", {
                **standing(tournament), "players": [snapshots.player_info(e) for e in moved_chips]})
        playing = Entry.objects.filter(tournament=tournament, status=EntryStatus.PLAYING)
        if playing.count() <= 1:
            finish(tournament)
            return
        for held in tables:
            if not seated[held.table_id]:
                table_actions.do_delete_table(held.table_id)
        tables = [held for held in tables if seated[held.table_id]]
        to_poke = balance(tournament, tables, seated)
        to_poke |= hand_for_hand(tournament)
        maybe_start_break(tournament)
        poke(tournament, sorted(to_poke))
        lobby_rows.mark(tournament)


# --- Eliminations --------------------------------------------------------------------------------


def eliminate(tournament: Tournament, seated: dict[int, dict[int, int]], *, one_round: bool = False) -> None:
    """Entries playing without a seat busted: places from the bottom, hand by hand, then by starting stack.

    With ``one_round`` (a hand-for-hand round just ended, or a cancel cut it
    short) every bust counts as one hand's, whatever its table: on the bubble
    the places of players out in the same round go by their stacks at the
    start of their hands, never by which table finished first.
    """
    at_tables = {(table_id, user_id) for table_id, seats in seated.items() for user_id in seats.values()}
    playing = list(Entry.objects.filter(tournament=tournament, status=EntryStatus.PLAYING)
                   .select_related("user"))
    busted = [entry for entry in playing if (entry.table_id, entry.user_id) not in at_tables]
    if not busted:
        return
    started: dict[int, tuple[int, int]] = {}  # entry -> (hand, stack at its start)
    for entry in busted:
        row = (HandPlayer.objects.filter(user_id=entry.user_id, hand__table_id=entry.table_id)
               .order_by("-hand_id").values_list("hand_id", "starting_stack").first())
        started[entry.pk] = row if row is not None else (0, 0)
    entrants, pool = tournament.field()
    prizes = payouts(pool, entrants, tournament.payout_structure, tournament.payout_percentages)
    left = len(playing)
    ended = dict(Hand.objects.filter(pk__in={hand for hand, _ in started.values()})
                 .values_list("pk", "ended_at"))
    by_hand = sorted(busted, key=lambda e: (ended.get(started[e.pk][0]) or clock.now(), started[e.pk][0]))
    for _, group in groupby(by_hand, key=lambda e: 0 if one_round else started[e.pk][0]):
        out = list(group)
        # The biggest stack at the hand's start takes the best of the places they fill.
        out.sort(key=lambda e: (-started[e.pk][1], e.pk))
        place = left - len(out) + 1
        for _, tied in groupby(out, key=lambda e: started[e.pk][1]):
            tie = list(tied)
            places = range(place, place + len(tie))
            amounts = split_places([prizes[p - 1] if p <= len(prizes) else 0 for p in places])
            for entry, position, prize in zip(tie, places, amounts, strict=True):
                _eliminate(tournament, entry, position, prize, started[entry.pk][0])
            place += len(tie)
        left -= len(out)


def split_places(prizes: list[int]) -> list[int]:
    """Players tied for these places share their prizes equally; the odd chip goes to the earlier place."""
    total = sum(prizes)
    return split(total, [1] * len(prizes)) if total else [0] * len(prizes)


def _eliminate(tournament: Tournament, entry: Entry, position: int, prize: int, hand_id: int) -> None:
    entry.status = EntryStatus.ELIMINATED
    entry.finish_position = position
    entry.prize = prize
    entry.chips = 0
    entry.table = None
    entry.seat = None
    entry.save(update_fields=["status", "finish_position", "prize", "chips", "table", "seat"])
    if prize:
        do_transfer(pool_account(tournament), wallet_of(entry.user), prize, Reason.PRIZE,
                    memo=f"tournament {tournament.pk} place {position}")
    data = {"user": user_ref(entry.user), "position": position, "prize": prize, "hand_id": str(hand_id)}
    own = {**data, "tournament_id": str(tournament.pk),
           "registrations": snapshots.player_registrations(entry.user)}
    emit_many([("TOURNAMENT", tournament.pk, "PLAYER_ELIMINATION", data),
               ("PLAYER", entry.user_id, "PLAYER_ELIMINATION", own)])


def sync_chips(tournament: Tournament) -> list[Entry]:
    """Entries' chips follow their seats' stacks (the snapshot's standings); the entries that changed.

    An entry playing without a seat busted and waits for its place (the end
    of a hand-for-hand round): it has no chips left.
    """
    entries = list(Entry.objects.filter(tournament=tournament, status=EntryStatus.PLAYING).select_related("user"))
    stacks = {(table_id, user_id): stack for table_id, user_id, stack in Seat.objects.filter(
        table_id__in={e.table_id for e in entries}, user_id__in={e.user_id for e in entries})
        .values_list("table_id", "user_id", "stack")}
    changed = [e for e in entries if e.chips != stacks.get((e.table_id, e.user_id), 0)]
    for entry in changed:
        entry.chips = stacks.get((entry.table_id, entry.user_id), 0)
    Entry.objects.bulk_update(changed, ["chips"])
    return sorted(changed, key=lambda entry: entry.pk)


# --- The end -------------------------------------------------------------------------------------


def finish(tournament: Tournament) -> None:
    """One player left: first place and its prize, the last table closed, TOURNAMENT_END with the results."""
    winner = Entry.objects.filter(tournament=tournament, status=EntryStatus.PLAYING).select_related("user").first()
    if winner is not None:
        entrants, pool = tournament.field()
        prizes = payouts(pool, entrants, tournament.payout_structure, tournament.payout_percentages)
        winner.status = EntryStatus.ELIMINATED
        winner.finish_position = 1
        winner.prize = prizes[0] if prizes else 0
        winner.table = None
        winner.seat = None
        winner.chips = 0  # retired to the mint with the last table
        winner.save(update_fields=["status", "finish_position", "prize", "table", "seat", "chips"])
        if winner.prize:
            do_transfer(pool_account(tournament), wallet_of(winner.user), winner.prize, Reason.PRIZE,
                        memo=f"tournament {tournament.pk} place 1")
    for held in open_tables(tournament):
        table_actions.do_delete_table(held.table_id)  # the winner's chips go back to the mint
    cancel(clock_timer(tournament.pk))
    tournament.status = TournamentStatus.FINISHED
    tournament.finished_at = clock.now()
    tournament.period_ends_at = None
    tournament.on_break = tournament.break_pending = tournament.hand_for_hand = False
    tournament.save(update_fields=["status", "finished_at", "period_ends_at", "on_break", "break_pending",
                                   "hand_for_hand"])
    results = [{"user": user_ref(e.user), "position": e.finish_position, "prize": e.prize}
               for e in Entry.objects.filter(tournament=tournament, status=EntryStatus.ELIMINATED)
               .select_related("user").order_by("finish_position")]
    emit("TOURNAMENT", tournament.pk, "TOURNAMENT_END", {"results": results, **standing(tournament)})
    if winner is not None:
        emit("PLAYER", winner.user_id, "TOURNAMENT_END", {
            "tournament_id": str(tournament.pk), "position": 1, "prize": winner.prize,
            "registrations": snapshots.player_registrations(winner.user)})
    lobby_rows.mark(tournament)


# --- Balancing -----------------------------------------------------------------------------------


def balance(tournament: Tournament, tables: list[TournamentTable],
            seated: dict[int, dict[int, int]]) -> set[int]:
    """Apply ``balancing.plan``: merges, balances, the final table; hold tables still in a hand."""
    live = set(Hand.objects.filter(table_id__in=[h.table_id for h in tables], status=HandStatus.LIVE)
               .values_list("table_id", flat=True))
    states = [
        balancing.TableState(
            held.table_id, tournament.table_size, seated[held.table_id],
            balancing.Positions(**held.table.positions) if held.table.positions else None,
            held.table_id in live,
        )
        for held in tables
    ]
    began = time.perf_counter()
    plan = balancing.plan(states, rng())
    decision_seconds.append(time.perf_counter() - began)
    for decision in plan.decisions:
        if isinstance(decision, balancing.Balance):
            moves = [_move(tournament, move, "TABLE_BALANCE") for move in decision.moves]
            emit("TOURNAMENT", tournament.pk, "TABLE_BALANCE", {"moves": moves})
            continue
        merges = decision.merges if isinstance(decision, balancing.FinalTable) else (decision,)
        for merge in merges:
            _merge(tournament, merge)
    release = []
    for held in tables:
        hold = held.table_id in plan.held
        if held.held != hold:
            # The table first, as its own hand's end takes it before this row (policy.hand_ended).
            table_actions.lock_table(held.table_id)
            held.held = hold
            held.save(update_fields=["held"])
            if not hold:
                release.append(held.table_id)
    return set(release)


def _move(tournament: Tournament, move: balancing.Move, kind: str) -> dict[str, Any]:
    """Move one player; their PLAYER stream hears where to (``kind``) with their registrations after it."""
    user = get_user_model().objects.get(pk=move.player)
    seat = table_actions.do_move_player(user, move.from_table, move.to_table, move.seat)
    Entry.objects.filter(tournament=tournament, user=user, status=EntryStatus.PLAYING).update(
        table_id=move.to_table, seat=seat.number)
    emit("PLAYER", user.pk, kind, {
        "tournament_id": str(tournament.pk), "from_table": str(move.from_table), "to_table": str(move.to_table),
        "seat": seat.number, "registrations": snapshots.player_registrations(user),
    })
    return {"user": user_ref(user), "from_table": str(move.from_table), "to_table": str(move.to_table),
            "seat": seat.number}


def _merge(tournament: Tournament, merge: balancing.Merge) -> None:
    """A table broken up: its players moved, one TABLE_MERGE per table they went to, the table closed."""
    by_destination: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for move in merge.moves:
        by_destination[move.to_table].append(_move(tournament, move, "TABLE_MERGE"))
    for to_table, moves in sorted(by_destination.items()):
        data = {"from_table": str(merge.from_table), "to_table": str(to_table), "moves": moves}
        emit_many([("TOURNAMENT", tournament.pk, "TABLE_MERGE", data),
                   ("TABLE", merge.from_table, "TABLE_MERGE", data),
                   ("TABLE", to_table, "TABLE_MERGE", data)])
    table_actions.do_delete_table(merge.from_table)
