"""A LOBBY stream as a client keeps it: the snapshot, then each event applied (PROTOCOL.md section 6, Lobby)."""

from __future__ import annotations

from typing import Any

State = dict[str, Any]

SECTIONS = ("tables", "tournaments")


def apply_lobby_event(state: State, event: dict[str, Any]) -> State:
    """Rows replace the rows with their id (or join the list), removed ids leave, members follow joins and leaves."""
    data, kind = event["data"], event["type"]
    if kind == "LOBBY_CREATE":
        return {"lobby": data["lobby"], "tables": [], "tournaments": [], "members": []}
    if "lobby" in data:
        state["lobby"] = data["lobby"]
    if kind == "LOBBY_UPDATE":
        for section in SECTIONS:
            rows = {row["id"]: row for row in state[section]}
            rows.update({row["id"]: row for row in data.get(section, [])})
            for gone in data.get(f"removed_{section}", []):
                rows.pop(gone, None)
            state[section] = sorted(rows.values(), key=lambda row: int(row["id"]))
    elif kind in ("LOBBY_JOIN", "LOBBY_LEAVE"):
        members = {member["id"]: member for member in state["members"]}
        if kind == "LOBBY_JOIN":
            members[data["user"]["id"]] = data["user"]
        else:
            members.pop(data["user"]["id"], None)
        state["members"] = sorted(members.values(), key=lambda member: int(member["id"]))
        assert data["members"] == len(state["members"]), (data, state["members"])
    return state
