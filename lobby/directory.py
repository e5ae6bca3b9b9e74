"""The lobby's directory: the rows other apps list in it, and the changes waiting to be sent.

The lobby imports no other app, so the tables and tournaments plug in here
from their ``AppConfig.ready()``: each registers a *section* (``"tables"``,
``"tournaments"``) with a function giving every row of a lobby and one giving
a single item's row. When an item changes, its action calls
:func:`mark_changed` inside its own transaction; the coalescer
(``lobby.actions.do_send_rows``, woken through ``pokerrt.timers``) sends the
changed rows whole in one ``LOBBY_UPDATE`` at most every
:data:`UPDATE_INTERVAL` seconds per lobby. docs/lobby.md tells the whole story.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pokerrt import clock
from pokerrt.hotpath import HotQuery, insert
from pokerrt.timers import schedule

from .models import Lobby, RowChange

SECTIONS = ("tables", "tournaments")
# Seconds between two LOBBY_UPDATEs of rows of one lobby: about two a second.
UPDATE_INTERVAL = 0.5
# The timer handler that sends a lobby's changed rows (LobbyConfig.ready()).
SEND_ROWS = "lobby.send_rows"

# lobby id -> every row of that section in the lobby
RowsOfLobby = Callable[[int], list[dict[str, Any]]]
# item id -> (its lobby id, its row); (lobby id, None) or (None, None) once it is gone
RowOfItem = Callable[[str], tuple[int | None, dict[str, Any] | None]]


@dataclass(frozen=True)
class Section:
    name: str
    rows_of_lobby: RowsOfLobby
    row_of_item: RowOfItem


_sections: dict[str, Section] = {}


def register_section(name: str, rows_of_lobby: RowsOfLobby, row_of_item: RowOfItem) -> Section:
    """Let an app list its items in lobbies; registering a section again replaces it."""
    if name not in SECTIONS:
        raise ValueError(f"a lobby lists {' and '.join(SECTIONS)}, not {name!r}")
    section = Section(name, rows_of_lobby, row_of_item)
    _sections[name] = section
    return section


def rows(name: str, lobby_id: int) -> list[dict[str, Any]]:
    """Every row of section ``name`` in the lobby, by id; none when no app lists that section."""
    section = _sections.get(name)
    found = section.rows_of_lobby(lobby_id) if section is not None else []
    return sorted(found, key=lambda row: int(row["id"]))


def row_of(name: str, item_id: str) -> tuple[int | None, dict[str, Any] | None]:
    section = _sections.get(name)
    return section.row_of_item(item_id) if section is not None else (None, None)


def timer_key(lobby_id: int, section: str, item_id: str) -> str:
    """One deadline per item: marking it locks nothing the lobby's other items share."""
    return f"lobby:{lobby_id}:{section}:{item_id}"


def mark_changed(lobby_id: int, section: str, item_id: str | int) -> None:
    """Item ``item_id`` of ``section`` changed in lobby ``lobby_id``: its row goes out with the next LOBBY_UPDATE.

    Call it inside the transaction that changes the item. It writes a new
    RowChange row and (re)schedules the item's own deadline, both rows no
    other item touches, so a busy lobby never serialises its tables; the
    deadline is due when the lobby may next send (UPDATE_INTERVAL after the
    last LOBBY_UPDATE of rows, or now), and whichever of the lobby's
    deadlines fires first sends every change committed by then.
    """
    if section not in SECTIONS:
        raise ValueError(f"a lobby lists {' and '.join(SECTIONS)}, not {section!r}")
    item_id = str(item_id)
    # Every hand's end marks its table: SQL written once (pokerrt.hotpath), not compiled each time.
    insert([RowChange(lobby_id=lobby_id, section=section, item_id=item_id)])
    lobby = _rows_sent_at.first(lobby_id)
    sent_at = lobby.rows_sent_at if lobby is not None else None
    schedule(timer_key(lobby_id, section, item_id), SEND_ROWS, next_send_at(sent_at, clock.now()),
             {"lobby_id": lobby_id, "section": section, "item_id": item_id})


_rows_sent_at = HotQuery(lambda pk: Lobby.objects.filter(pk=pk).only("rows_sent_at")[:1])


def rows_sent(lobby_id: str | int) -> bool:
    """Whether every row change of the lobby went out: no RowChange waits for the coalescer.

    While one waits, the rows read fresh are ahead of the last LOBBY_UPDATE,
    so a subscriber's state is behind a snapshot at the same seq: the state
    digest skips that moment (pokerrt.realtime.digest).
    """
    return not RowChange.objects.filter(lobby_id=int(lobby_id)).exists()


def next_send_at(sent_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """The earliest moment, ``now`` or later, the lobby may send rows again."""
    if sent_at is None:
        return now
    return max(now, sent_at + dt.timedelta(seconds=UPDATE_INTERVAL))
