"""A TOURNAMENT stream's state as a client keeps it: the snapshot, then each event applied.

Covers the events part one emits (create, update, register, unregister,
the end of a cancelled tournament); the clock, seating and eliminations add
theirs with part two.
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]


def apply_tournament_event(state: State, event: dict[str, Any]) -> State:
    data, kind = event["data"], event["type"]
    for part in ("tournament", "structure", "payouts"):
        if part in data:
            state[part] = data[part]
    if kind in ("TOURNAMENT_REGISTER", "TOURNAMENT_UNREGISTER"):
        gone = data["user"]["id"]
        state["players"] = [p for p in state["players"] if p["user"]["id"] != gone]
        if kind == "TOURNAMENT_REGISTER":
            state["players"].append(data["player"])
        state["tournament"]["registered"] = data["registered"]
        state["tournament"]["prize_pool"] = data["prize_pool"]
    if kind == "TOURNAMENT_END" and data.get("cancelled"):
        state["players"] = []
    if "tournament" in data:
        state["level"] = data["tournament"]["level"]
        state["on_break"] = data["tournament"]["on_break"]
    return state
