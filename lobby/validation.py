"""What must hold of a LOBBY stream: its subscribers' rows are what the tables and tournaments say.

A subscriber's rows are the last ones the journal sent (``LOBBY_UPDATE``); the
truth is each section's row read fresh (``directory.rows``). They may differ
only while a change is on its way: a RowChange row waiting for its pending
deadline. A row that differs with nothing on its way missed its update, and
so does a change whose deadline is gone: re-marking it sends the row again.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from pokerrt.realtime.models import Event
from pokerrt.realtime.validation import Problem
from pokerrt.timers.models import Deadline

from . import directory
from .models import Lobby, RowChange

REMARK_ROW = "lobby.remark_row"

Item = tuple[str, str]  # (section, item id)


def active_lobbies() -> list[int]:
    return list(Lobby.objects.live().order_by("pk").values_list("pk", flat=True))


def lobby_problems(lobby_id: str) -> list[Problem]:
    if not lobby_id.isdigit() or not Lobby.objects.live().filter(pk=int(lobby_id)).exists():
        return []
    sent = _rows_sent(lobby_id)
    truth = {(name, row["id"]): _as_sent(row) for name in directory.SECTIONS for row in directory.rows(name, int(lobby_id))}
    waiting = set(RowChange.objects.filter(lobby_id=int(lobby_id)).values_list("section", "item_id"))
    armed = set(Deadline.objects.pending().filter(key__startswith=f"lobby:{lobby_id}:").values_list("key", flat=True))
    found = []
    for section, item_id in sorted(waiting):
        if directory.timer_key(int(lobby_id), section, item_id) not in armed:
            found.append(Problem("LOBBY", lobby_id, "row_update_due", f"{section} {item_id}: changed, "
                                 "but no deadline will send it", REMARK_ROW, f"{section}:{item_id}"))
    # Items the retained journal never sent are in the subscribers' snapshots, read fresh.
    for item in sorted(sent.keys() - waiting):
        if sent[item] != truth.get(item):
            section, item_id = item
            found.append(Problem("LOBBY", lobby_id, "rows_match_truth", f"{section} {item_id}: the row "
                                 "subscribers have is not the row now", REMARK_ROW, f"{section}:{item_id}"))
    return found


def _rows_sent(lobby_id: str) -> dict[Item, dict[str, Any] | None]:
    """Each item's row as the journal last sent it (None: sent as removed)."""
    sent: dict[Item, dict[str, Any] | None] = {}
    updates = Event.objects.filter(target="LOBBY", stream_id=lobby_id, type="LOBBY_UPDATE").order_by("seq")
    for data in updates.values_list("data", flat=True):
        for section in directory.SECTIONS:
            for row in data.get(section, []):
                sent[(section, row["id"])] = row
            for item_id in data.get(f"removed_{section}", []):
                sent[(section, item_id)] = None
    return sent


def _as_sent(row: dict[str, Any]) -> dict[str, Any]:
    """The row as the journal holds it: datetimes and enums through JSON."""
    loaded: dict[str, Any] = json.loads(json.dumps(row, cls=DjangoJSONEncoder))
    return loaded
