"""Snapshot before + events applied == snapshot after, for any stream type.

Every stream type plugs in with a reducer ``apply(state, event) -> state``
(the same work a client does) and calls :func:`assert_events_replay` around
the actions it wants to check. Reducers live in ``REDUCERS``; later issues
add theirs (TABLE, LOBBY, TOURNAMENT) next to the PLAYER one here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.db import transaction

from pokerrt.realtime import registry, validation
from pokerrt.realtime.models import Event
from pokerrt.realtime.streams import event_frame, stream_position
from tests.event_checks import snapshot_problems
from tests.lobby.reducer import apply_lobby_event
from tests.tournament.reducer import apply_tournament_event

State = dict[str, Any]
Reducer = Callable[[State, dict[str, Any]], State]


def apply_player_event(state: State, event: dict[str, Any]) -> State:
    """A PLAYER event that carries ``balance`` sets it; sections are replaced when sent whole.

    Seats follow the owner's table events: TABLE_JOIN adds one, TABLE_LEAVE
    removes it, DEAL_CARDS puts the cards of a hand on it, HAND_END clears them.
    """
    data = event["data"]
    if "balance" in data:
        state["balance"] = data["balance"]
    for section in registry.player_section_names():
        if isinstance(data.get(section), list):
            state[section] = data[section]
    kind = event["type"]
    if "table_id" in data and "seat" in data and kind in _SEAT_EVENTS:
        seats = [s for s in state.get("seats", []) if s["table_id"] != data["table_id"]]
        if kind != "TABLE_LEAVE":
            dealt = kind == "DEAL_CARDS"
            seats.append({"table_id": data["table_id"], "seat": data["seat"],
                          "hand_id": data["hand_id"] if dealt else None,
                          "cards": data["cards"] if dealt else []})
        state["seats"] = sorted(seats, key=lambda s: int(s["table_id"]))
    return state


_SEAT_EVENTS = ("TABLE_JOIN", "TABLE_LEAVE", "DEAL_CARDS", "HAND_END")


REDUCERS: dict[str, Reducer] = {
    "PLAYER": apply_player_event, "TOURNAMENT": apply_tournament_event, "LOBBY": apply_lobby_event,
}


def snapshot_at(target: str, stream_id: str, user: Any) -> tuple[int, State]:
    """The stream's seq and snapshot, read together as a subscriber reads them."""
    stream_type = registry.stream_type(target)
    assert stream_type is not None, f"no stream type {target}"
    with transaction.atomic():
        position = stream_position(target, stream_id)
        state = stream_type.snapshot(stream_id, user)
    found = snapshot_problems(target, state)
    assert not found, "a snapshot does not match its schema:\n" + "\n".join(found)
    assert_rules_hold(target, stream_id)
    return position.seq, state


def assert_rules_hold(target: str, stream_id: str | int) -> None:
    """The target's validation rules (pokerrt.realtime.validation) hold of the stream."""
    broken = validation.validate(target, stream_id)
    assert not broken, f"{target} {stream_id}: rules do not hold:\n" + "\n".join(map(str, broken))


def assert_events_replay(
    target: str,
    stream_id: str | int,
    user: Any,
    do: Callable[[], object],
    apply: Reducer | None = None,
) -> list[dict[str, Any]]:
    """Run ``do``; the events it emitted, applied to the snapshot before, give the snapshot after.

    Returns the events (as clients get them) so a test can check them further.
    """
    stream_id = str(stream_id)
    reducer = apply or REDUCERS[target]
    seq_before, before = snapshot_at(target, stream_id, user)
    do()
    events = [
        event_frame(e)
        for e in Event.objects.filter(target=target, stream_id=stream_id, seq__gt=seq_before).order_by("seq")
    ]
    assert events, f"{target} {stream_id}: the action emitted nothing"
    assert [e["seq"] for e in events] == list(range(seq_before + 1, seq_before + 1 + len(events)))
    state = copy.deepcopy(before)
    for event in events:
        state = reducer(state, event)
    seq_after, after = snapshot_at(target, stream_id, user)
    assert seq_after == events[-1]["seq"]
    assert state == after, f"{target} {stream_id}: replayed {state!r} != snapshot {after!r}"
    return events
