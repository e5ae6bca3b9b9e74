"""Hand histories over REST: one hand as the requester may see it, and a player's own hands.

What a requester sees of a hand is exactly what they could have seen at the
table: the board, the actions, the hands shown at showdown, and their own
hole cards if they were dealt in. Never another player's unshown cards.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from pokerrt.rest import ApiView
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


class _UserRef(serializers.Serializer):
    id = serializers.CharField()
    username = serializers.CharField()


class _HandSeat(serializers.Serializer):
    seat = serializers.IntegerField()
    user = _UserRef()
    stack = serializers.IntegerField(help_text="At the start of the hand.")


class _HandAction(serializers.Serializer):
    seat = serializers.IntegerField()
    user = _UserRef()
    action = serializers.CharField()
    amount = serializers.IntegerField(allow_null=True)
    auto = serializers.BooleanField()


class _Shown(serializers.Serializer):
    seat = serializers.IntegerField()
    user = _UserRef()
    cards = serializers.ListField(child=serializers.CharField())


class HandViewSerializer(serializers.Serializer):
    """A hand as the requester may see it: the ``shown`` to ``deck_proof`` fields once it ended."""

    hand_id = serializers.CharField()
    table_id = serializers.CharField()
    hand_no = serializers.IntegerField()
    status = serializers.ChoiceField(choices=HandStatus.choices)
    button = serializers.IntegerField()
    small_blind = serializers.IntegerField()
    big_blind = serializers.IntegerField()
    ante = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    seats = _HandSeat(many=True)
    actions = _HandAction(many=True)
    board = serializers.ListField(child=serializers.CharField())
    deck_commitment = serializers.CharField()
    your_seat = serializers.IntegerField(allow_null=True)
    your_cards = serializers.ListField(child=serializers.CharField())
    shown = _Shown(many=True, required=False)
    winners = serializers.ListField(child=serializers.DictField(), required=False)
    stacks = serializers.DictField(required=False)
    deck_proof = serializers.DictField(required=False, help_text="PROTOCOL.md section 8.")


class _MyHand(serializers.Serializer):
    hand_id = serializers.CharField()
    table_id = serializers.CharField()
    table_name = serializers.CharField()
    hand_no = serializers.IntegerField()
    seat = serializers.IntegerField()
    starting_stack = serializers.IntegerField()
    final_stack = serializers.IntegerField(allow_null=True)
    net = serializers.IntegerField()
    ended_at = serializers.DateTimeField(allow_null=True)


class MyHandsSerializer(serializers.Serializer):
    hands = _MyHand(many=True)


class HandDetailView(ApiView):
    """``GET /api/hands/{id}/``: one hand, the requester's view."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: HandViewSerializer})
    def get(self, request: Request, hand_id: str) -> Response:
        hand = get_object_or_404(Hand, pk=hand_id)
        return Response(hand_view(hand, request.user))


class PlainTextRenderer(renderers.BaseRenderer):
    """``text/plain``, so a client asking for the history as text is not refused 406.

    An error still answers the one error format, as JSON text.
    """

    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return (data if isinstance(data, str) else json.dumps(data)).encode("utf-8")


class HandHistoryTextView(ApiView):
    """``GET /api/hands/{id}/history.txt``: PokerStars text, the requester's view."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [renderers.JSONRenderer, PlainTextRenderer]

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR})
    def get(self, request: Request, hand_id: str) -> HttpResponse:
        hand = get_object_or_404(Hand, pk=hand_id, status=HandStatus.ENDED)
        text = histories.pokerstars_text(hand, viewer_seat(hand, request.user))
        return HttpResponse(text, content_type="text/plain; charset=utf-8")


class MyHandsView(ApiView):
    """``GET /api/me/hands/?limit=50``: the hands the requester was dealt into, newest first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("limit", int, description="1 to 200; 50 by default.")],
        responses={200: MyHandsSerializer},
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("limit", "50")
        # ASCII digits only ("²" is a digit to str.isdigit) and few of them
        # (int() refuses thousands): anything else is the default.
        plain = raw.isascii() and raw.isdigit() and len(raw) <= 6
        limit = min(int(raw), 200) if plain and int(raw) > 0 else 50
        played = (HandPlayer.objects.filter(user=request.user, hand__status=HandStatus.ENDED)
                  .select_related("hand__table").order_by("-hand_id")[:limit])
        return Response({"hands": [
            {"hand_id": str(p.hand_id), "table_id": str(p.hand.table_id), "table_name": p.hand.table.name,
             "hand_no": p.hand.number, "seat": p.seat, "starting_stack": p.starting_stack,
             "final_stack": p.final_stack, "net": (p.final_stack or 0) - p.starting_stack,
             "ended_at": p.hand.ended_at}
            for p in played
        ]})
