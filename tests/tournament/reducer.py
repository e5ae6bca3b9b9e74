"""A TOURNAMENT stream's state as a client keeps it: the snapshot, then each event applied.

Covers every event of the stream: create, update, register, unregister,
the start and its seating, the clock (LEVEL_UP, BREAK_START, BREAK_END),
eliminations, merges and balances, and the end (cancelled or played out).
Players' chips change with hands, which the stream does not carry: they are
exact at the start and at the end (chips retired), not in between.
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
    if kind == "TOURNAMENT_UPDATE" and "players" in data:
        rows = {row["user"]["id"]: row for row in data["players"]}
        state["players"] = [rows.get(p["user"]["id"], p) for p in state["players"]]
    if kind == "TOURNAMENT_END" and data.get("cancelled"):
        state["players"] = data.get("players", [])
        state["tables"] = []
    _apply_play(state, kind, data)
    if "next_level_at" in data:
        state["next_level_at"] = data["next_level_at"]
    if "tournament" in data:
        state["level"] = data["tournament"]["level"]
        state["on_break"] = data["tournament"]["on_break"]
    return state


def _player(state: State, user_id: str) -> dict[str, Any]:
    return next(p for p in state["players"] if p["user"]["id"] == user_id)


def _count(state: State, table_id: str | None, change: int) -> None:
    """Add ``change`` players to a table of the snapshot's ``tables``; a table left empty goes."""
    for row in state["tables"]:
        if row["table_id"] == table_id:
            row["players"] += change
    state["tables"] = [row for row in state["tables"] if row["players"] > 0]


def _apply_play(state: State, kind: str, data: dict[str, Any]) -> None:
    if kind == "TOURNAMENT_START":
        for table in data["tables"]:
            for seated in table["players"]:
                player = _player(state, seated["user"]["id"])
                player.update(status="playing", table_id=table["table_id"], chips=seated["chips"])
        state["tables"] = sorted(({"table_id": t["table_id"], "players": len(t["players"])} for t in data["tables"]),
                                 key=lambda row: int(row["table_id"]))
        state["level"] = data["level"]
    elif kind == "LEVEL_UP":
        state["level"] = data["level"]
        state["next_level_at"] = data["ends_at"]
    elif kind == "BREAK_START":
        state["on_break"] = True
        state["next_level_at"] = data["ends_at"]
    elif kind == "BREAK_END":
        state["on_break"] = False
    elif kind == "PLAYER_ELIMINATION":
        player = _player(state, data["user"]["id"])
        _count(state, player["table_id"], -1)
        player.update(status="eliminated", chips=0, table_id=None, position=data["position"])
    elif kind in ("TABLE_MERGE", "TABLE_BALANCE"):
        for move in data["moves"]:
            player = _player(state, move["user"]["id"])
            _count(state, player["table_id"], -1)
            _count(state, move["to_table"], +1)
            player["table_id"] = move["to_table"]
    elif kind == "TOURNAMENT_END" and not data.get("cancelled"):
        for result in data["results"]:
            _player(state, result["user"]["id"]).update(status="eliminated", chips=0, table_id=None,
                                                      position=result["position"])
        state["tables"] = []
        state["next_level_at"] = None
