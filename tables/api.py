"""Hand histories over REST: one hand as the requester may see it, and a player's own hands.

What a requester sees of a hand is exactly what they could have seen at the
table: the board, the actions, the hands shown at showdown, and their own
hole cards if they were dealt in. Never another player's unshown cards.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tables import engine

from . import histories, live
from .models import Hand, HandPlayer, HandStatus


def viewer_seat(hand: Hand, user: Any) -> int | None:
    """The seat ``user`` was dealt at in ``hand``, if any."""
    for number, user_id in hand.players.items():
        if user_id == user.pk:
            return int(number)
    return None


def hand_view(hand: Hand, user: Any) -> dict[str, Any]:
    """The hand as ``user`` may see it (PROTOCOL.md: hole cards only to their owner)."""
    dealt = live.engine_hand(hand)
    refs = live.player_refs(hand)
    config = engine.HandConfig.from_dict(hand.config)
    mine = viewer_seat(hand, user)
    actions = hand.actions.order_by("index")
    view: dict[str, Any] = {
        "hand_id": str(hand.pk),
        "table_id": str(hand.table_id),
        "hand_no": hand.number,
        "status": hand.status,
        "button": hand.button,
        "small_blind": config.small_blind,
        "big_blind": config.big_blind,
        "ante": config.ante,
        "started_at": hand.started_at,
        "ended_at": hand.ended_at,
        "seats": [{"seat": n, "user": refs[n], "stack": config.entry(n).stack}
                  for n in dealt.seats],
        "actions": [{"seat": a.seat, "user": refs[a.seat], "action": a.action,
                     "amount": a.amount, "auto": a.auto} for a in actions],
        "board": dealt.board,
        "deck_commitment": hand.commitment,
        "your_seat": mine,
        "your_cards": dealt.hole_cards(mine) if mine is not None else [],
    }
    if hand.status == HandStatus.ENDED and hand.result:
        result = hand.result
        view.update({
            "shown": [{"seat": int(n), "user": refs[int(n)], "cards": cards}
                      for n, cards in result["shown"].items()],
            "winners": result["winners"],
            "stacks": result["stacks"],
            "deck_proof": result["deck_proof"],
        })
    return view


class HandDetailView(APIView):
    """``GET /api/hands/{id}/``: one hand, the requester's view."""

    permission_classes = [IsAuthenticated]

    def get(self, request: Request, hand_id: int) -> Response:
        hand = get_object_or_404(Hand, pk=hand_id)
        return Response(hand_view(hand, request.user))


class HandHistoryTextView(APIView):
    """``GET /api/hands/{id}/history.txt``: PokerStars text, the requester's view."""

    permission_classes = [IsAuthenticated]

    def get(self, request: Request, hand_id: int) -> HttpResponse:
        hand = get_object_or_404(Hand, pk=hand_id, status=HandStatus.ENDED)
        text = histories.pokerstars_text(hand, viewer_seat(hand, request.user))
        return HttpResponse(text, content_type="text/plain; charset=utf-8")


class MyHandsView(APIView):
    """``GET /api/me/hands/?limit=50``: the hands the requester was dealt into, newest first."""

    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        raw = request.query_params.get("limit", "50")
        limit = min(int(raw), 200) if raw.isdigit() and int(raw) > 0 else 50
        played = (HandPlayer.objects.filter(user=request.user, hand__status=HandStatus.ENDED)
                  .select_related("hand__table").order_by("-hand_id")[:limit])
        return Response({"hands": [
            {"hand_id": str(p.hand_id), "table_id": str(p.hand.table_id), "table_name": p.hand.table.name,
             "hand_no": p.hand.number, "seat": p.seat, "starting_stack": p.starting_stack,
             "final_stack": p.final_stack, "net": (p.final_stack or 0) - p.starting_stack,
             "ended_at": p.hand.ended_at}
            for p in played
        ]})
