"""Every event, frame and snapshot a test produces, held to the schema its app declares.

The apps declare their payloads in their ``events.py``; this module puts the
declarations together (above every app, as only tests may) and says what is
wrong with a journaled event, a frame a test client received or a snapshot.
Streams of targets the protocol does not define (the tests' TALLY, the load
tests' BENCH) declare nothing and are not checked.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from lobby import events as lobby_events
from pokerrt.realtime import events as core_events
from pokerrt.realtime.schemas import problems
from tables import events as table_events
from tournament import events as tournament_events

from .realtime import tally_actions

# PROTOCOL.md's targets, written out here: the schemas hold the apps to the
# protocol, whatever the registry holds.
TARGETS = ("LOBBY", "TOURNAMENT", "TABLE", "PLAYER")


def _merged(*declarations: dict[Any, type]) -> dict[Any, type]:
    merged: dict[Any, type] = {}
    for declared in declarations:
        twice = merged.keys() & declared.keys()
        assert not twice, f"declared by two apps: {sorted(twice)}"
        merged.update(declared)
    return merged


# (target, type) -> the TypedDict of the event's data.
EVENTS = _merged(table_events.EVENTS, lobby_events.EVENTS, tournament_events.EVENTS, tally_actions.EVENTS)
# target -> the TypedDict of its streams' snapshot.
SNAPSHOTS = _merged(core_events.SNAPSHOTS, table_events.SNAPSHOTS, lobby_events.SNAPSHOTS,
                    tournament_events.SNAPSHOTS)
# PLAYER snapshot section -> the TypedDict of each of its items.
PLAYER_SECTIONS = _merged(table_events.PLAYER_SECTIONS, tournament_events.PLAYER_SECTIONS)


def event_problems(target: str, type: str, data: Any) -> list[str]:
    if target not in TARGETS:
        return []
    schema = EVENTS.get((target, type))
    if schema is None:
        return [f"{target} {type}: no app declares this event's schema"]
    return [f"{target} {type} {problem}" for problem in problems(schema, data)]


def snapshot_problems(target: str, state: Any) -> list[str]:
    """What is wrong with a snapshot, as a subscriber gets it (enums and datetimes through JSON)."""
    if target not in TARGETS:
        return []
    state = json.loads(json.dumps(state, cls=DjangoJSONEncoder))
    found = problems(SNAPSHOTS[target], state, "state")
    if target == "PLAYER" and isinstance(state, dict):
        for name, schema in PLAYER_SECTIONS.items():
            for i, item in enumerate(state.get(name) or []):
                found += problems(schema, item, f"state.{name}[{i}]")
    return [f"{target} snapshot {problem}" for problem in found]


def frame_problems(frame: dict[str, Any]) -> list[str]:
    """What is wrong with a frame the server sent: an event, or a control frame and any snapshot in it."""
    kind, data = frame.get("type"), frame.get("data")
    if "seq" in frame:
        return event_problems(frame.get("target"), kind, data)
    schema = core_events.CONTROL.get(kind)
    if schema is None:
        return [f"{kind}: not a control frame, yet no seq"]
    found = [f"{kind} {problem}" for problem in problems(schema, data)]
    if kind == "SUBSCRIBED" and isinstance(data, dict) and "state" in data:
        found += snapshot_problems(frame.get("target"), data["state"])
    return found


def assert_frame_matches(frame: dict[str, Any]) -> dict[str, Any]:
    """``frame``, once it proved to match its schema."""
    found = frame_problems(frame)
    assert not found, "a frame does not match its schema:\n" + "\n".join(found)
    return frame


def journal_problems() -> list[str]:
    """What is wrong with the journaled events in the database now, each named by its stream and seq."""
    from pokerrt.realtime.models import Event

    found = []
    rows = Event.objects.filter(target__in=TARGETS).values_list("target", "stream_id", "seq", "type", "data")
    for target, stream_id, seq, kind, data in rows.order_by("target", "stream_id", "seq"):
        found += [f"{target}.{stream_id} seq {seq}: {problem}" for problem in event_problems(target, kind, data)]
    return found
