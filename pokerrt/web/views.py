"""The pages of the web client.

Pages read models to render what does not move (names, a finished hand, a
ledger); what moves comes over the WebSocket as snapshots and events, and
every change a page makes is a protocol command, so it goes through the
actions like any other client's.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from lobby.models import Lobby
from pokerrt.accounts.models import Account, AccountKind, LedgerEntry, user_ref
from tables import histories
from tables.api import hand_view, viewer_seat
from tables.models import Hand, HandPlayer, HandStatus, Table, TableStatus
from tournament.models import Tournament


def viewer(request: HttpRequest) -> dict[str, str] | None:
    """``{id, username}`` of the logged-in viewer, as the protocol names users; None for a guest."""
    return user_ref(request.user) if request.user.is_authenticated else None


def lobby(request: HttpRequest, lobby_id: int) -> HttpResponse:
    found = Lobby.objects.live().filter(pk=lobby_id).first()
    if found is None:
        raise Http404("No such lobby.")
    return render(request, "web/lobby.html", {
        "lobby": found, "page_data": {"lobby_id": str(found.pk), "me": viewer(request)}})


def table(request: HttpRequest, table_id: int) -> HttpResponse:
    found = get_object_or_404(Table.objects.exclude(status=TableStatus.CLOSED), pk=table_id)
    return render(request, "web/table.html", {
        "table": found, "page_data": {"table_id": str(found.pk), "me": viewer(request)}})


def tournament(request: HttpRequest, tournament_id: int) -> HttpResponse:
    found = get_object_or_404(Tournament, pk=tournament_id)
    return render(request, "web/tournament.html", {
        "tournament": found, "page_data": {"tournament_id": str(found.pk), "me": viewer(request)}})


# The street markers of the PokerStars text (tables/engine/history.py).
STREET_MARK = re.compile(r"^\*\*\* (HOLE CARDS|FLOP|TURN|RIVER|SHOW DOWN|SUMMARY) \*\*\*")
STREET_NAMES = {"HOLE CARDS": "Preflop", "FLOP": "Flop", "TURN": "Turn", "RIVER": "River",
                "SHOW DOWN": "Showdown", "SUMMARY": "Summary"}
# How many board cards each street has shown.
BOARD_SHOWN = {"Preflop": 0, "Flop": 3, "Turn": 4, "River": 5, "Showdown": 5, "Summary": 5}


def streets(text: str, board: list[str]) -> list[dict[str, Any]]:
    """The PokerStars text cut at its street markers: the replay's steps, each with the board it shows."""
    steps: list[dict[str, Any]] = [{"name": "Setup", "lines": [], "board": []}]
    for line in text.splitlines():
        mark = STREET_MARK.match(line)
        if mark:
            name = STREET_NAMES[mark.group(1)]
            steps.append({"name": name, "lines": [], "board": board[:BOARD_SHOWN[name]]})
        steps[-1]["lines"].append(line)
    return steps


@login_required
def hand(request: HttpRequest, hand_id: int) -> HttpResponse:
    # What the hand API would answer this viewer: their own cards, shown hands, the proof.
    found = get_object_or_404(Hand, pk=hand_id)
    data = hand_view(found, request.user)
    text = ""
    if found.status == HandStatus.ENDED:
        text = histories.pokerstars_text(found, viewer_seat(found, request.user))
    final = {entry["seat"]: entry["stack"] for entry in data.get("stacks", [])}
    seats = [{**seat, "net": final[seat["seat"]] - seat["stack"] if seat["seat"] in final else None}
             for seat in sorted(data["seats"], key=lambda seat: seat["seat"])]
    page_data = {"streets": streets(text, data["board"]) if text else [],
                 "proof": {"deck_commitment": data["deck_commitment"], "deck_proof": data.get("deck_proof")}}
    return render(request, "web/hand.html", {
        "hand": data, "table": found.table, "text": text, "seats": seats,
        "ended": found.status == HandStatus.ENDED, "page_data": page_data,
    })


@login_required
def account(request: HttpRequest) -> HttpResponse:
    # Read only: the wallet is opened at sign-up (do_create_user), never by a page view.
    wallet = Account.objects.filter(kind=AccountKind.WALLET, ref=str(request.user.pk)).first()
    ledger: list[dict[str, Any]] = []
    if wallet is not None:
        entries = (LedgerEntry.objects.filter(source=wallet) | LedgerEntry.objects.filter(destination=wallet))
        for entry in entries.order_by("-id")[:100]:
            incoming = entry.destination_id == wallet.pk
            ledger.append({"when": entry.created_at, "reason": entry.get_reason_display(),
                           "memo": entry.memo, "change": entry.amount if incoming else -entry.amount})
    hands = (HandPlayer.objects.filter(user=request.user, hand__status=HandStatus.ENDED)
             .select_related("hand__table").order_by("-hand_id")[:50])
    return render(request, "web/account.html", {
        "balance": wallet.balance if wallet is not None else 0, "ledger": ledger,
        "hands": [{"hand_id": p.hand_id, "table": p.hand.table.name, "hand_no": p.hand.number,
                   "seat": p.seat, "net": (p.final_stack or 0) - p.starting_stack, "ended_at": p.hand.ended_at}
                  for p in hands],
    })
