"""What must hold of a TABLE stream: the tables app's rules for the reconciler and the tests."""

from __future__ import annotations

from collections import Counter

from django.db.models import Sum

from pokerrt.accounts.models import Account, AccountKind
from pokerrt.realtime.validation import Problem
from pokerrt.timers.models import Deadline
from tables.engine import Action, Deck, HandConfig
from tables.engine import Hand as EngineHand

from . import live
from .actions.base import action_timer
from .models import Hand, HandAction, HandStatus, Seat, Table, TableStatus

# The mends the tables register (TablesConfig.ready()).
REARM_ACTION_CLOCK = "tables.rearm_action_clock"
REFRESH_LIVE_HAND = "tables.refresh_live_hand"


def active_tables() -> list[int]:
    return list(Table.objects.exclude(status=TableStatus.CLOSED).order_by("pk").values_list("pk", flat=True))


def table_problems(table_id: str) -> list[Problem]:
    """One live hand at most, each player in one seat, chips matching the ledger, a clock for the player to act."""
    table = Table.objects.filter(pk=int(table_id)).first()
    if table is None:
        return []

    def problem(rule: str, message: str, mend: str | None = None) -> Problem:
        return Problem("TABLE", table_id, rule, message, mend)

    found = []
    hands = list(Hand.objects.filter(table=table, status=HandStatus.LIVE))
    if len(hands) > 1:
        found.append(problem("one_live_hand", f"{len(hands)} hands in play: {[h.pk for h in hands]}"))
    seats = list(Seat.objects.filter(table=table))
    twice = [user for user, n in Counter(s.user_id for s in seats if s.user_id).items() if n > 1]
    if twice:
        found.append(problem("seats_unique", f"users {twice} hold more than one seat"))
    stacks = sum(seat.stack for seat in seats)
    held = Account.objects.filter(kind=AccountKind.TABLE, ref=str(table.pk)).aggregate(
        total=Sum("balance", default=0))["total"]
    if stacks != held:
        found.append(problem("chips_match_ledger", f"seat stacks {stacks} but table account {held}"))
    for hand in hands:
        found += [problem(*args) for args in _hand_problems(table, hand, seats)]
    return found


def _hand_problems(table: Table, hand: Hand, seats: list[Seat]) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    replayed = _replay(hand)
    cached = live.cached_hand(hand)
    if cached is not None and not _same(cached, replayed):
        found.append(("live_cache_matches_log", f"hand {hand.pk}: this process's cached hand differs from its log",
                      REFRESH_LIVE_HAND))
    started = sum(entry["stack"] for entry in hand.config["seats"])
    now = sum(replayed.stacks.values()) + replayed.pot_total
    if started != now:
        found.append(("chips_match_ledger", f"hand {hand.pk}: started with {started} chips, holds {now}"))
    number = replayed.to_act()
    if number is None:
        return found
    seat = next((s for s in seats if s.number == number), None)
    if seat is None or seat.user_id != hand.players.get(str(number)) or not replayed.stacks.get(number):
        found.append(("to_act_seated_with_chips", f"hand {hand.pk}: seat {number} to act is not its player with chips"))
    # The timer goes off no later than the hand's deadline (it may go off earlier and be set again: tables.actions.hands._arm_clock).
    clock = Deadline.objects.pending().filter(key=action_timer(table)).values_list("payload", "due_at").first()
    if clock is None or clock[0].get("hand_id") != hand.pk or (
            hand.action_deadline is not None and clock[1] > hand.action_deadline):
        found.append(("deadline_armed", f"hand {hand.pk}: seat {number} is to act with no action clock running",
                      REARM_ACTION_CLOCK))
    return found


def _replay(hand: Hand) -> EngineHand:
    """The hand from its log alone, never from this process's cache."""
    actions = HandAction.objects.filter(hand=hand).order_by("index").values_list("seat", "action", "amount")
    return EngineHand.replay(HandConfig.from_dict(hand.config), Deck.from_dict(hand.deck),
                             [Action(seat, action, amount) for seat, action, amount in actions])


def _same(cached: EngineHand, replayed: EngineHand) -> bool:
    return (list(cached.actions) == list(replayed.actions) and cached.stacks == replayed.stacks
            and cached.pot_total == replayed.pot_total and cached.to_act() == replayed.to_act())


def player_seat_problems(user_id: str) -> list[Problem]:
    """The seats a PLAYER stream lists are at tables still open.

    The stream lists the user's Seat rows (``snapshots.player_seats``); the
    database already keeps them one per table and a table's live hand unique,
    so what can drift is a seat left behind by a table that closed without
    cashing it out. One query per user: the reconciler runs this for every
    connected player each pass.
    """
    if not user_id.isdigit():
        return []
    stranded = Seat.objects.filter(user_id=int(user_id), table__status=TableStatus.CLOSED)
    return [Problem("PLAYER", user_id, "seats_exist", f"lists seat {number} of table {table_id}, which is closed")
            for table_id, number in stranded.order_by("table_id").values_list("table_id", "number")]
