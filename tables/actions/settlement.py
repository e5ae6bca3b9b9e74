"""Publishing what the engine did, and settling a hand where the engine ends it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from pokerrt import metrics
from pokerrt.hotpath import save_fields, update_each
from pokerrt.realtime.streams import emit_many
from pokerrt.timers import cancel
from tables import engine

from .. import live, lobby_rows
from ..models import Hand, HandPlayer, HandStatus, Seat, Table
from ..policies import policy_for
from . import translate
from .base import action_timer, dealt_in, now, occupied_seats
from .dealing import maybe_schedule_hand, stand_up


def publish(table: Table, hand: Hand, dealt: engine.Hand, events: list[engine.HandEvent],
            to_act: dict[str, Any] | None, auto_seat: int | None = None,
            before: list[translate.Emission] | None = None) -> None:
    """Emit a batch of the engine's events, after ``before``; settle the hand at the point the engine ended it.

    What comes before the settlement is emitted with it (one seq update per
    stream, one insert: ``emit_many``).
    """
    batch = translate.translate(table.pk, hand, dealt, events, to_act, live.player_refs(hand), auto_seat)
    cut = batch.over.at if batch.over is not None else len(batch.emissions)
    leading = [*(before or ()), *batch.emissions[:cut]]
    if batch.over is None:
        emit_all(leading)
        return
    settle(table, hand, dealt, batch.over.uncalled, before=leading)
    emit_all(batch.emissions[cut:])


def emit_all(emissions: list[translate.Emission]) -> None:
    # An Emission is already the (target, stream id, type, data) tuple emit_many takes.
    emit_many(emissions)


def settle(table: Table, hand: Hand, dealt: engine.Hand, uncalled: dict[int, int],
           before: list[translate.Emission] | None = None) -> None:
    """Stacks back on the seats, HAND_END out (after ``before``), leavers and the busted stood up, next hand asked for."""
    result = translate.hand_result(dealt, live.player_refs(hand), uncalled)
    hand.status = HandStatus.ENDED
    hand.ended_at = now()
    hand.action_deadline = None
    hand.result = result
    hand.pot = sum(winner["amount"] for winner in result["winners"])
    save_fields(hand, "status", "ended_at", "action_deadline", "result", "actions_taken", "pot")
    cancel(action_timer(table))
    final = dealt.stacks
    # Read once: the stacks are written back from here, and who stands up and
    # whether the next hand can be dealt are decided on the same rows.
    occupied = occupied_seats(table)
    changed = []
    for seat in occupied:
        if seat.number in final and seat.user_id == hand.players.get(str(seat.number)):
            if seat.stack != final[seat.number]:
                seat.stack = final[seat.number]
                changed.append(seat)
    # Each hand's end: written by SQL built once per row count (hotpath), not compiled by the ORM each time.
    update_each(Seat, "stack", "id", {seat.pk: seat.stack for seat in changed})
    update_each(HandPlayer, "final_stack", "seat", {number: final[number] for number in dealt.seats}, hand=hand.pk)
    emit_all([*(before or ()), *translate.hand_end(table.pk, hand, dealt, result, uncalled)])
    transaction.on_commit(metrics.HANDS_PLAYED.inc)
    live.forget(hand)
    policy = policy_for(table)
    for seat in occupied:
        if seat.leaving or (seat.stack == 0 and dealt_in(hand, seat)
                            and policy.after_hand_bust(table, seat, hand)):
            stand_up(table, seat)
    policy.hand_ended(table, hand)
    lobby_rows.mark(table)
    maybe_schedule_hand(table, seats=occupied)
