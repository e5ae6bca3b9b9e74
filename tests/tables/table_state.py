"""How a client applies TABLE events to a TABLE snapshot (PROTOCOL.md section 6).

The consistency test holds the server to it: snapshot before + these
functions over the events == snapshot after.
"""

from __future__ import annotations

import copy
from typing import Any

State = dict[str, Any]


def empty_seat(number: int) -> dict[str, Any]:
    return {"seat": number, "user": None, "stack": 0, "status": "empty", "bet": 0, "in_hand": False,
            "disconnected": False, "leaving": False}


def _seat(state: State, number: int) -> dict[str, Any]:
    return next(s for s in state["seats"] if s["seat"] == number)


def _seat_of_user(state: State, user: dict[str, str]) -> dict[str, Any] | None:
    return next((s for s in state["seats"] if s["user"] and s["user"]["id"] == user["id"]), None)


def apply(state: State, event: dict[str, Any]) -> State:
    state = copy.deepcopy(state)
    kind, data = event["type"], event["data"]
    hand = state["hand"]
    if kind in ("TABLE_CREATE", "TABLE_DELETE"):
        state["table"] = data["table"]
    elif kind == "TABLE_UPDATE":
        if "table" in data:
            state["table"] = data["table"]
            numbers = range(1, data["table"]["max_seats"] + 1)
            kept = {s["seat"]: s for s in state["seats"]}
            state["seats"] = [kept.get(n, empty_seat(n)) for n in numbers]
        for seat in data.get("seats", []):
            state["seats"] = [seat if s["seat"] == seat["seat"] else s for s in state["seats"]]
        if "to_act" in data and hand is not None:
            hand["to_act"] = data["to_act"]
    elif kind == "TABLE_JOIN":
        _seat(state, data["seat"]).update(user=data["user"], stack=data["stack"], status="active", bet=0,
                                          in_hand=False, disconnected=False, leaving=False)
    elif kind == "TABLE_LEAVE":
        state["seats"] = [empty_seat(s["seat"]) if s["seat"] == data["seat"] else s for s in state["seats"]]
    elif kind == "HAND_START":
        state["hand"] = {"hand_id": data["hand_id"], "hand_no": data["hand_no"], "button": data["button"],
                         "street": "preflop", "board": [], "pots": [], "to_act": data["to_act"],
                         "deck_commitment": data["deck_commitment"]}
        for entry in data["seats"]:
            _seat(state, entry["seat"]).update(stack=entry["stack"], bet=0, in_hand=True)
    elif kind == "PLAYER_ACTION":
        seat = _seat(state, data["seat"])
        seat["stack"] = data["stack"]
        if data["action"] != "post_ante" and not data.get("dead"):
            seat["bet"] = data["amount"]
        if data["action"] == "fold":
            seat["in_hand"] = False
        hand["to_act"] = data["to_act"]
        if "pots" in data:
            hand["pots"] = data["pots"]
    elif kind == "DEAL_CARDS":
        hand["to_act"] = data["to_act"]
    elif kind in ("FLOP", "TURN", "RIVER"):
        hand.update(board=data["board"], street=kind.lower(), pots=data["pots"], to_act=data["to_act"])
        for seat in state["seats"]:
            seat["bet"] = 0
    elif kind == "SHOWDOWN":
        for number in data.get("mucked", []):
            _seat(state, number)["in_hand"] = False
    elif kind == "HAND_END":
        state["hand"] = None
        for seat in state["seats"]:
            seat.update(bet=0, in_hand=False)
        for entry in data["stacks"]:
            _seat(state, entry["seat"])["stack"] = entry["stack"]
    elif kind in ("PLAYER_DISCONNECT", "PLAYER_RECONNECT"):
        seat = _seat_of_user(state, data["user"])
        if seat is not None:
            seat["disconnected"] = kind == "PLAYER_DISCONNECT"
    return state
