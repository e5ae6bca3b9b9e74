"""Publishing what the engine did, and settling a hand where the engine ends it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from pokerrt.realtime.streams import emit_many
from pokerrt.timers import cancel
from tables import engine

from .. import live, lobby_rows
from ..models import Hand, HandPlayer, HandStatus, Seat, Table
from ..policies import policy_for
from . import translate
from .base import action_timer, dealt_in, now
from .dealing import maybe_schedule_hand, stand_up


def publish(table: Table, hand: Hand, dealt: engine.Hand, events: list[engine.HandEvent],
            to_act: dict[str, Any] | None, auto_seat: int | None = None) -> None:
    """Emit a batch of the engine's events; settle the hand at the point the engine ended it."""
    batch = translate.translate(table.pk, hand, dealt, events, to_act, live.player_refs(hand), auto_seat)
    cut = batch.over.at if batch.over is not None else len(batch.emissions)
    emit_all(batch.emissions[:cut])
    if batch.over is not None:
        settle(table, hand, dealt, batch.over.uncalled)
        emit_all(batch.emissions[cut:])


def emit_all(emissions: list[translate.Emission]) -> None:
    # An Emission is already the (target, stream id, type, data) tuple emit_many takes.
    emit_many(emissions)


def settle(table: Table, hand: Hand, dealt: engine.Hand, uncalled: dict[int, int]) -> None:
    """Stacks back on the seats, HAND_END out, leavers and the busted stood up, next hand asked for."""
    result = translate.hand_result(dealt, live.player_refs(hand), uncalled)
    hand.status = HandStatus.ENDED
    hand.ended_at = now()
    hand.action_deadline = None
    hand.result = result
    hand.pot = sum(winner["amount"] for winner in result["winners"])
    hand.save(update_fields=["status", "ended_at", "action_deadline", "result", "actions_taken", "pot"])
    cancel(action_timer(table))
    final = dealt.stacks
    seats = {s.number: s for s in Seat.objects.filter(table=table, number__in=dealt.seats)}
    for number in dealt.seats:
        seat = seats[number]
        if seat.user_id == hand.players[str(number)]:
            seat.stack = final[number]
            seat.save(update_fields=["stack"])
        HandPlayer.objects.filter(hand=hand, seat=number).update(final_stack=final[number])
    emit_all(translate.hand_end(table.pk, hand, dealt, result, uncalled))
    live.forget(hand)
    policy = policy_for(table)
    done = Q(leaving=True) | Q(stack=0)
    for seat in Seat.objects.filter(done, table=table, user__isnull=False).order_by("number"):
        if seat.leaving or (dealt_in(hand, seat) and policy.after_hand_bust(table, seat, hand)):
            stand_up(table, seat)
    policy.hand_ended(table, hand)
    lobby_rows.mark(table)
    maybe_schedule_hand(table)
