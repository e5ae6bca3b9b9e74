"""The engine's events as protocol events: a pure translation, no database and no emit.

The hands modules run the engine, pass its events through :func:`translate`
and emit what comes back in order. The engine's ``HAND_END`` is not
translated: it marks where the caller settles the hand (stacks written back,
leavers stood up), whose own events :func:`hand_end` builds from
:func:`hand_result`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from tables import engine

from .. import snapshots
from ..models import Hand

Refs = dict[int, dict[str, str]]  # seat -> {id, username} of the players dealt in


class Emission(NamedTuple):
    """One event to emit: ``emit(*emission)``."""

    target: str  # "TABLE" or "PLAYER"
    stream_id: int  # the table's id, or the player's user id
    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class HandOver:
    """The engine ended the hand in this batch."""

    at: int  # where the settlement's events go among the batch's emissions
    uncalled: dict[int, int]  # seat -> chips of bets returned uncalled (HAND_END's "uncalled")


STREETS = ("FLOP", "TURN", "RIVER")


@dataclass(frozen=True)
class Translation:
    emissions: list[Emission]
    over: HandOver | None  # None while the hand goes on


def translate(table_id: int, hand: Hand, dealt: engine.Hand, events: list[engine.HandEvent],
              to_act: dict[str, Any] | None, refs: Refs, auto_seat: int | None = None) -> Translation:
    """A batch of the engine's events as TABLE and PLAYER events; the last one carries ``to_act``."""
    players = {int(n): uid for n, uid in hand.players.items()}
    # Only the batch's last event says who acts next; the earlier ones
    # happened while the answer was still open.
    carriers = [i for i, e in enumerate(events) if e.type in snapshots.CARRY_TO_ACT]
    last = carriers[-1] if carriers else None
    # The batch's last PLAYER_ACTION carries the pots when no street dealt after
    # it does: a dead blind or an ante goes straight into the pot, so a hand's
    # opening posts change the pots before anyone acts.
    actions_at = [i for i, e in enumerate(events) if e.type == "PLAYER_ACTION"]
    streets_at = [i for i, e in enumerate(events) if e.type in STREETS]
    pots_at = actions_at[-1] if actions_at and not any(i > actions_at[-1] for i in streets_at) else None
    emissions: list[Emission] = []
    uncalled: dict[int, int] = {}
    over = None
    for i, event in enumerate(events):
        data = dict(event.data)
        if event.type == "UNCALLED_BET":
            # Not a protocol type: the returned chips show in HAND_END's stacks
            # and in its "uncalled" field.
            uncalled[data["seat"]] = uncalled.get(data["seat"], 0) + data["amount"]
            continue
        if event.type == "HAND_END":
            over = HandOver(at=len(emissions), uncalled=dict(uncalled))
            continue
        data = {"hand_id": str(hand.pk), **data}
        if "seat" in data:
            data["user"] = refs[data["seat"]]
        if event.type in snapshots.CARRY_TO_ACT:
            data["to_act"] = to_act if i == last else None
        if event.type == "PLAYER_ACTION":
            if i == last or i == pots_at:
                # A fold changes who can win the pots; later events of a batch
                # (a street dealt) carry the pots themselves.
                data["pots"] = [p.to_dict() for p in dealt.pots]
            if data["seat"] == auto_seat and not data["action"].startswith("post_"):
                data["auto"] = True
        elif event.type == "DEAL_CARDS":
            emissions.extend(
                Emission("PLAYER", players[number], "DEAL_CARDS", {
                    "table_id": str(table_id), "hand_id": str(hand.pk), "seat": number,
                    "cards": dealt.hole_cards(number),
                })
                for number in data["seats"]
            )
        elif event.type == "SHOWDOWN":
            data["hands"] = [{**shown, "user": refs[shown["seat"]]} for shown in data["hands"]]
        emissions.append(Emission("TABLE", table_id, event.type, data))
    return Translation(emissions, over)


def hand_result(dealt: engine.Hand, refs: Refs, uncalled: dict[int, int]) -> dict[str, Any]:
    """What an ended hand keeps (``Hand.result``): winners, board, final stacks, cards shown, proof."""
    final = dealt.stacks
    return {
        "winners": [{"seat": w.seat, "user": refs[w.seat], "amount": w.amount, "pot": w.pot}
                    for w in dealt.winnings()],
        "board": dealt.board,
        "stacks": [{"seat": n, "user": refs[n], "stack": final[n]} for n in dealt.seats],
        "uncalled": uncalled,
        "shown": {str(n): list(c) for n, c in dealt.shown_cards().items()},
        "revealed": dealt.revealed_positions(),
        "deck_proof": dealt.deck_proof(),
    }


def hand_end(table_id: int, hand: Hand, dealt: engine.Hand, result: dict[str, Any],
             uncalled: dict[int, int]) -> list[Emission]:
    """HAND_END on the table, then on each dealt player's stream with their own cards' salts."""
    players = {int(n): uid for n, uid in hand.players.items()}
    final = dealt.stacks
    return [
        Emission("TABLE", table_id, "HAND_END", {
            "hand_id": str(hand.pk), "winners": result["winners"], "board": result["board"],
            "stacks": result["stacks"],
            "uncalled": [{"seat": n, "amount": a} for n, a in sorted(uncalled.items())],
            "deck_proof": result["deck_proof"],
        }),
        *(Emission("PLAYER", players[number], "HAND_END", {
            "table_id": str(table_id), "hand_id": str(hand.pk), "seat": number,
            "reveals": dealt.hole_card_reveals(number), "stack": final[number],
        }) for number in dealt.seats),
    ]
