"""Playing hands: dealing one, the players' actions, and the action clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pokerrt import errors
from pokerrt.accounts.models import user_ref
from pokerrt.hotpath import insert, save_fields
from pokerrt.realtime.streams import emit
from pokerrt.timers import schedule
from tables import engine
from tables.engine import rules

from .. import live, snapshots
from ..models import Hand, HandAction, HandPlayer, HandStatus, Seat, SeatStatus, Table, TableStatus
from ..policies import policy_for
from .base import (
    action_timer,
    conf,
    live_hand,
    locked_table,
    locked_table_with_seat,
    now,
    occupied_seats_with_players,
)
from .dealing import sit_out
from .settlement import publish
from .translate import Emission


def do_start_hand(table_id: int | str) -> Hand | None:
    """Deal the next hand if the table can play one; None if it cannot."""
    with locked_table(table_id) as table:
        if table.status != TableStatus.OPEN or live_hand(table) is not None:
            return None
        policy = policy_for(table)
        if not policy.may_deal(table):
            return None
        occupied = occupied_seats_with_players(table)
        # Where the policy says so (tournaments), players sitting out are dealt in and blinded out.
        blinded_out = policy.deals_in_sitting_out(table)
        seats = [
            rules.TableSeat(s.number, s.stack, sitting_out=(s.status != SeatStatus.ACTIVE and not blinded_out)
                            or s.leaving,
                            owes=engine.Post(s.owes))
            for s in occupied
        ]
        previous = rules.Positions(**table.positions) if table.positions else None
        plan = rules.plan_hand(seats, previous)
        if plan is None:
            return None
        blinds = policy.blinds(table)
        config = plan.hand_config(seats, blinds.small_blind, blinds.big_blind, blinds.ante, blinds.bb_ante)
        deck = engine.shuffled_deck()
        dealt, opening = engine.Hand.start(config, deck)
        table.positions = {"button": plan.positions.button, "small_blind": plan.positions.small_blind,
                           "big_blind": plan.positions.big_blind}
        table.hands_dealt += 1
        save_fields(table, "positions", "hands_dealt")
        for seat in occupied:
            owes = plan.owes.get(seat.number, engine.Post.NONE).value
            if seat.owes != owes:
                seat.owes = owes
                save_fields(seat, "owes")
        by_number = {s.number: s for s in occupied}
        # Written with its first deadline: no second write for the clock.
        deadline = None if dealt.to_act_info() is None else now() + dt.timedelta(seconds=table.action_seconds)
        hand = insert([Hand(
            table=table, number=table.hands_dealt, button=plan.positions.button, config=config.to_dict(),
            deck=deck.to_dict(), commitment=dealt.commitment(),
            players={str(n): by_number[n].user_id for n in dealt.seats}, action_deadline=deadline,
        )])[0]
        insert([HandPlayer(hand=hand, user_id=by_number[n].user_id, seat=n, starting_stack=config.entry(n).stack)
                for n in dealt.seats])
        refs = {n: user_ref(by_number[n].user) for n in dealt.seats}
        live.remember(hand, dealt)
        live.remember_players(hand, refs)
        to_act = None if deadline is None else _arm_clock(table, hand, dealt, deadline)
        start = Emission("TABLE", table.pk, "HAND_START", {
            "hand_id": str(hand.pk), "hand_no": hand.number, "button": plan.positions.button,
            "small_blind": blinds.small_blind, "big_blind": blinds.big_blind, "ante": blinds.ante,
            "seats": [{"seat": n, "user": refs[n], "stack": config.entry(n).stack} for n in dealt.seats],
            "deck_commitment": hand.commitment,
            "to_act": to_act,
        })
        publish(table, hand, dealt, opening, to_act, before=[start])
        return hand


def do_player_action(user: Any, table_id: int | str, action: str, amount: int | None = None, *,
                     hand_id: str | None = None, turn: int | None = None) -> None:
    """A betting action by ``user`` at ``table_id``.

    ``hand_id`` and ``turn``, when given, name the decision the player
    answers: a click meant for one that is over never lands on the next.
    """
    with locked_table_with_seat(table_id, user) as (table, hand, seat):
        if hand is None:
            raise errors.Conflict("No hand is in play.")
        dealt = live.engine_hand(hand)
        check_decision(hand, dealt, hand_id, turn)
        if seat is None or hand.players.get(str(seat.number)) != user.pk:
            raise errors.Forbidden("You are not in this hand.")
        _act(table, hand, dealt, seat, action, amount, auto=False)


def check_decision(hand: Hand, dealt: engine.Hand, hand_id: str | None, turn: int | None) -> None:
    """CONFLICT unless ``hand_id`` and ``turn`` (each when given) are the decision in play."""
    if hand_id is not None and hand_id != str(hand.pk):
        raise errors.Conflict(f"Hand {hand_id} is not the one in play ({hand.pk}).")
    current = snapshots.turn(dealt)
    if turn is not None and turn != current:
        raise errors.Conflict(f"Turn {turn} is not the one in play ({current}).")


def _act(table: Table, hand: Hand, dealt: engine.Hand, seat: Seat, action: str, amount: int | None, *,
         auto: bool) -> None:
    try:
        events = dealt.act(seat.number, action, amount)
    except engine.NotYourTurn as error:
        raise errors.NotYourTurn(str(error)) from None
    except engine.IllegalAction as error:
        raise errors.IllegalAction(error.reason) from None
    try:
        insert([HandAction(hand=hand, index=len(dealt.actions) - 1, seat=seat.number,
                           action=action, amount=dealt.actions[-1].amount, auto=auto)], returning=False)
        # Saved with the clock below, or with the hand's end (settlement).
        hand.actions_taken = len(dealt.actions)
        _spend_clock(table, hand, seat, auto=auto)
        # An automatic action is the timer going off: none is set for the next decision.
        to_act = None if dealt.is_over else _arm_clock(table, hand, dealt, timer_spent=auto)
        publish(table, hand, dealt, events, to_act, auto_seat=seat.number if auto else None)
    except BaseException:
        # The cached engine hand holds an action the rollback will undo.
        live.forget(hand)
        raise


def _spend_clock(table: Table, hand: Hand, seat: Seat, *, auto: bool) -> None:
    """Charge the time bank for time used past the action clock."""
    fields = []
    timeouts = seat.timeouts_in_row + 1 if auto else 0
    if timeouts != seat.timeouts_in_row:
        seat.timeouts_in_row = timeouts
        fields.append("timeouts_in_row")
    if hand.bank_started_at is not None:
        used = (now() - hand.bank_started_at).total_seconds()
        seat.time_bank_left = 0 if auto else max(0.0, seat.time_bank_left - used)
        fields.append("time_bank_left")
    if fields:  # most actions change neither: no write on the hot path
        seat.save(update_fields=fields)
    if auto and seat.timeouts_in_row >= conf("TIMEOUTS_BEFORE_SIT_OUT") and seat.status == SeatStatus.ACTIVE:
        sit_out(table, seat)


def _arm_clock(table: Table, hand: Hand, dealt: engine.Hand, deadline: dt.datetime | None = None, *,
               timer_spent: bool = False) -> dict[str, Any] | None:
    """Start the action clock of the player to act. ``deadline``: already on the row of a hand just dealt.

    The hand's row holds the clock (``action_deadline``); the timer only has
    to go off no later than that. After a betting action the next player's
    deadline is later than the one the timer is set for, so the timer stays
    as it is: when it goes off early, :func:`do_action_clock_expired` sets
    it again for the hand's deadline. That spares every action a deadline
    write and a wake-up (a Celery task with ``TIMERS_BACKEND = "celery"``).
    Only when the timer may be set later than the new deadline (a time bank
    ran) or is not set at all (``timer_spent``: it just went off) is it set
    again here.
    """
    if dealt.to_act_info() is None:
        return None
    if deadline is not None:
        _set_timer(table, hand, deadline)
    else:
        unset_or_later = timer_spent or hand.action_deadline is None or hand.bank_started_at is not None
        deadline = _fresh_deadline(table, hand)
        if unset_or_later:
            _set_timer(table, hand, deadline)
    return snapshots.to_act(dealt, hand, deadline)


def _fresh_deadline(table: Table, hand: Hand) -> dt.datetime:
    """A full action clock from now on the hand's row (with the count of actions, saved with it)."""
    hand.action_deadline = now() + dt.timedelta(seconds=table.action_seconds)
    hand.bank_started_at = None
    save_fields(hand, "action_deadline", "bank_started_at", "actions_taken")
    return hand.action_deadline


def _set_timer(table: Table, hand: Hand, at: dt.datetime) -> None:
    schedule(action_timer(table), "tables.action_clock", at, {"table_id": table.pk, "hand_id": hand.pk})


def do_action_clock_expired(table_id: int, hand_id: int) -> None:
    """The player to act ran out of time: start their time bank, or act for them.

    The timer may go off before the hand's deadline (players acted since it
    was set, see :func:`_arm_clock`): it is then set for that deadline.
    """
    with locked_table(table_id) as table:
        hand = Hand.objects.filter(pk=hand_id, table=table, status=HandStatus.LIVE).first()
        if hand is None:
            return
        dealt = live.engine_hand(hand)
        number = dealt.to_act()
        if number is None:
            return
        if hand.action_deadline is not None and hand.action_deadline > now():
            _set_timer(table, hand, hand.action_deadline)
            return
        seat = Seat.objects.get(table=table, number=number)
        if hand.bank_started_at is None and seat.time_bank_left >= 1 and seat.user_id == hand.players[str(number)]:
            _start_time_bank(table, hand, dealt, seat)
            return
        action = "check" if "check" in dealt.legal_actions() else "fold"
        _act(table, hand, dealt, seat, action, None, auto=True)


def _start_time_bank(table: Table, hand: Hand, dealt: engine.Hand, seat: Seat) -> None:
    started = now()
    hand.bank_started_at = started
    hand.action_deadline = started + dt.timedelta(seconds=seat.time_bank_left)
    hand.save(update_fields=["bank_started_at", "action_deadline"])
    _set_timer(table, hand, hand.action_deadline)
    emit("TABLE", table.pk, "TABLE_UPDATE", {
        "table": snapshots.table_info(table), "hand_id": str(hand.pk), "time_bank": {"seat": seat.number, "seconds": seat.time_bank_left},
        "to_act": snapshots.to_act(dealt, hand, hand.action_deadline),
    })


# --- Mends the reconciler asks for (pokerrt.realtime.reconcile) ------------------------------------


def do_rearm_action_clock(table_id: int | str) -> bool:
    """Arm the missing action clock of the player to act, and tell the table when it runs out.

    The hand's own deadline stands if it is still ahead; a lost one gives
    the player a fresh clock rather than acting for them at once.
    """
    with locked_table(table_id) as table:
        hand = live_hand(table)
        if hand is None:
            return False
        dealt = live.engine_hand(hand)
        if dealt.to_act() is None:
            return False
        deadline = hand.action_deadline
        if deadline is None or deadline <= now():
            deadline = _fresh_deadline(table, hand)
        to_act = _arm_clock(table, hand, dealt, deadline)
        emit("TABLE", table.pk, "TABLE_UPDATE",
             {"table": snapshots.table_info(table), "hand_id": str(hand.pk), "to_act": to_act})
        return True


def do_refresh_live_hand(table_id: int | str) -> bool:
    """Drop this process's cached copy of the hand in play; send the table its seats and who acts, as the log has them."""
    with locked_table(table_id) as table:
        hand = live_hand(table)
        if hand is None:
            return False
        live.forget(hand)
        dealt = live.engine_hand(hand)
        seats = Seat.objects.filter(table=table).select_related("user").order_by("number")
        emit("TABLE", table.pk, "TABLE_UPDATE", {
            "table": snapshots.table_info(table), "hand_id": str(hand.pk),
            "seats": [snapshots.seat_info(seat, hand, dealt) for seat in seats],
            "to_act": snapshots.to_act(dealt, hand, hand.action_deadline),
        })
        return True
