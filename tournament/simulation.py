"""A whole tournament of bots through the actions, on simulated time: the simulation command and its tests.

Nothing here changes state but the actions: bots answer through
``tables.actions.do_player_action`` and the deadlines fire through
``pokerrt.timers.fire`` once simulated time reaches them. Time is a
:class:`SimulatedClock` moved on a fixed number of seconds per hand dealt,
shared out over the tables in play (they deal at once in a real room), so a
run is the same whatever the machine's speed. The action clock never fires:
bots answer at once.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from lobby.models import Lobby
from pokerrt import clock
from pokerrt.accounts.actions import do_create_user, do_transfer, mint_account, wallet_of
from pokerrt.accounts.models import Reason
from pokerrt.realtime.models import Event
from pokerrt.timers import fire
from pokerrt.timers.models import Deadline
from tables import actions as table_actions
from tables import live
from tables.models import Hand, HandStatus, Seat, TableStatus

from . import actions
from .actions import hands as after_hands
from .audit import tournament_table_chip_problems
from .models import BlindStructure, Entry, Tournament, TournamentStatus, TournamentTable
from .structures import Level


class SimulatedClock(clock.ManualClock):
    """Time that moves only when the simulation says; a day ahead, so the tables' own deadlines are all due."""

    def __init__(self) -> None:
        super().__init__(timezone.now() + dt.timedelta(days=1))

    def forward(self, seconds: float) -> None:
        self._now += dt.timedelta(seconds=seconds)


@dataclass
class Report:
    """What a run did: the numbers the command prints and the invariants the tests check."""

    tournament_id: int
    hands: int = 0
    actions: int = 0
    moves: int = 0
    balances: int = 0  # after-hands tasks run (each plans a balance)
    problems: list[str] = field(default_factory=list)  # seated twice, tables more than one apart
    chip_problems: list[str] = field(default_factory=list)  # the tables' chips not the seated stacks
    decision_seconds: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0


Bot = Callable[[list[str], Any, random.Random], tuple[str, int | None]]


def aggressive_bot(legal: list[str], dealt: Any, rng: random.Random) -> tuple[str, int | None]:
    """Shoves often, so fields shrink fast; otherwise calls or checks, sometimes folds."""
    roll = rng.random()
    if roll < 0.25 and ("raise" in legal or "bet" in legal):
        return ("raise" if "raise" in legal else "bet"), dealt.max_raise_to()
    if roll < 0.35 and "fold" in legal and "check" not in legal:
        return "fold", None
    if "check" in legal:
        return "check", None
    return ("call", None) if "call" in legal else ("fold", None)


def make_field(players: int, *, structure: str = "turbo", level_minutes: int | None = None,
               table_size: int = 9, buy_in: int = 100, name: str = "Simulation") -> Tournament:
    """A scheduled tournament and ``players`` bots registered for it, each with the chips to pay.

    ``level_minutes`` plays ``structure``'s blinds with levels (and breaks)
    of that many minutes, as a structure of its own.
    """
    lobby = Lobby.objects.order_by("pk").first() or Lobby.objects.create(name="Simulation")
    if level_minutes is not None:
        structure = _short_structure(structure, level_minutes)
    tournament = actions.do_create_tournament(
        lobby, name, kind="mtt", starts_at=timezone.now() + dt.timedelta(hours=1), buy_in=buy_in,
        structure=structure, table_size=table_size, min_players=2, max_players=max(players, 2))
    stamp = f"{tournament.pk}x{random.getrandbits(20)}"
    for number in range(players):
        # Bots never log in: no password to hash (hashing one is most of a sign-up's time).
        user = do_create_user(f"bot{stamp}n{number}", None)  # type: ignore[arg-type]
        wallet = wallet_of(user)
        if wallet.balance < buy_in:
            do_transfer(mint_account(), wallet, buy_in, Reason.TOP_UP, memo="simulation")
        actions.do_register(user, tournament.pk)
    return tournament


def _short_structure(name: str, minutes: int) -> str:
    short = f"{name}-{minutes}min"
    if not BlindStructure.objects.filter(name=short).exists():
        levels = [Level(row.small_blind, row.big_blind, row.ante, row.big_blind_ante, minutes,
                        minutes if row.break_minutes else 0)
                  for row in BlindStructure.objects.get(name=name).levels.order_by("number")]
        actions.do_create_structure(short, levels, f"{name} with {minutes}-minute levels")
    return short


def run(tournament: Tournament, *, seed: int = 0, seconds_per_hand: float = 20.0, bot: Bot = aggressive_bot,
        max_hands: int = 1_000_000, progress: Callable[[int], None] | None = None) -> Report:
    """Start ``tournament`` and play it to its end, checking the invariants as it goes."""
    rng = random.Random(seed)
    previous_rng = actions.use_rng(random.Random(seed + 1))
    simulated = SimulatedClock()
    previous_clock = clock.use(simulated)
    after_hands.decision_seconds.clear()
    report = Report(tournament.pk)
    began = time.perf_counter()
    users: dict[int, Any] = {}
    try:
        actions.do_start_tournament(tournament.pk)
        entrants = tournament.live_entries().count()
        while True:
            tournament.refresh_from_db()
            if tournament.status != TournamentStatus.RUNNING or report.hands >= max_hands:
                break
            if _fire_due(tournament, report):
                continue
            tables = list(TournamentTable.objects.filter(tournament=tournament, table__status=TableStatus.OPEN)
                          .values_list("table_id", flat=True))
            played = 0
            for table_id in tables:
                hand = Hand.objects.filter(table_id=table_id, status=HandStatus.LIVE).first()
                if hand is None:
                    continue
                while hand.status == HandStatus.LIVE:
                    dealt = live.engine_hand(hand)
                    user_id = hand.players[str(dealt.to_act())]
                    user = users.get(user_id) or users.setdefault(user_id, get_user_model().objects.get(pk=user_id))
                    action, amount = bot(dealt.legal_actions(), dealt, rng)
                    table_actions.do_player_action(user, table_id, action, amount)
                    report.actions += 1
                    hand.refresh_from_db()
                played += 1
                report.chip_problems.extend(tournament_table_chip_problems())
            report.hands += played
            if progress is not None:
                progress(entrants - Entry.objects.filter(tournament=tournament, status="playing").count())
            if played:
                simulated.forward(seconds_per_hand)  # one round of hands, the tables dealing side by side
                continue
            # Nothing in play: time moves to the next deadline (a hand to deal, the clock).
            upcoming = _pending().order_by("due_at").first()
            if upcoming is None:
                raise RuntimeError(f"tournament {tournament.pk} is stuck: no hand in play and nothing due")
            simulated.forward(max(0.0, (upcoming.due_at - simulated.now()).total_seconds()))
    finally:
        clock.use(previous_clock)
        actions.use_rng(previous_rng)
    report.decision_seconds = list(after_hands.decision_seconds)
    report.moves = sum(len(event.data["moves"]) for event in Event.objects.filter(
        target="TOURNAMENT", stream_id=str(tournament.pk), type__in=("TABLE_BALANCE", "TABLE_MERGE")))
    report.wall_seconds = time.perf_counter() - began
    return report


def _pending() -> Any:
    """The deadlines that move the simulation on: next hands and the tournament's own; bots beat the action clock."""
    return Deadline.objects.pending().exclude(
        handler__in=("tables.action_clock", "tables.sit_out_expired", "tables.grace_expired"))


def _fire_due(tournament: Tournament, report: Report) -> bool:
    """Fire what is due, the tournament's own deadlines first (the after-hands task before new hands)."""
    due = list(_pending().filter(due_at__lte=clock.now()).values_list("key", "version", "handler"))
    due.sort(key=lambda row: not row[2].startswith("tournament."))
    fired = False
    for key, version, handler in due:
        if fire(key, version):
            fired = True
            if handler == "tournament.after_hands":
                _check_tables(tournament, report)
    return fired


def _check_tables(tournament: Tournament, report: Report) -> None:
    """After a balance: nobody seated twice; with no table held, tables within one player."""
    seats = list(Seat.objects.filter(table__tournament_table__tournament=tournament, user__isnull=False,
                                     table__status=TableStatus.OPEN).values_list("table_id", "user_id"))
    users = [user for _, user in seats]
    if len(users) != len(set(users)):
        report.problems.append("a player is seated twice")
    counts: dict[int, int] = {}
    for table_id, _ in seats:
        counts[table_id] = counts.get(table_id, 0) + 1
    held = TournamentTable.objects.filter(tournament=tournament, held=True).exists()
    report.balances += 1
    if counts and not held and max(counts.values()) - min(counts.values()) > 1:
        report.problems.append(f"tables of {sorted(counts.values())} after a balance")
