"""A registered player's connection, told on the TOURNAMENT streams they are in (PROTOCOL.md section 6, Player).

The presence hooks call these (TournamentConfig.ready()): a user's last
connection closing anywhere, and their first one opening again. A player
stays in whatever their connection does (they are blinded out at their
table, never removed); the tournament's watchers are only told, once each
way, as the tables tell theirs.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from pokerrt import clock
from pokerrt.accounts.models import user_ref
from pokerrt.realtime.streams import emit

from ..models import Entry, EntryStatus, TournamentStatus

# Tournaments whose watchers hear of a player's connection, and the entries that are in them.
LIVE = (TournamentStatus.REGISTERING, TournamentStatus.RUNNING, TournamentStatus.PAUSED)
ENTERED = (EntryStatus.REGISTERED, EntryStatus.PLAYING)


def do_player_disconnected(user: Any) -> None:
    """The user's last connection closed: PLAYER_DISCONNECT on each live tournament they are in."""
    with transaction.atomic():
        for entry in _entries(user).filter(disconnected_at__isnull=True):
            entry.disconnected_at = clock.now()
            entry.save(update_fields=["disconnected_at"])
            emit("TOURNAMENT", entry.tournament_id, "PLAYER_DISCONNECT", _data(user, entry))


def do_player_reconnected(user: Any) -> None:
    """The user is back: PLAYER_RECONNECT where PLAYER_DISCONNECT was told."""
    with transaction.atomic():
        for entry in _entries(user).filter(disconnected_at__isnull=False):
            entry.disconnected_at = None
            entry.save(update_fields=["disconnected_at"])
            emit("TOURNAMENT", entry.tournament_id, "PLAYER_RECONNECT", _data(user, entry))


def _entries(user: Any) -> Any:
    # Locked, in tournament order: two hooks of one user never cross, and the
    # streams' locks are taken in one order.
    return (Entry.objects.select_for_update().filter(user=user, status__in=ENTERED, tournament__status__in=LIVE)
            .order_by("tournament_id"))


def _data(user: Any, entry: Entry) -> dict[str, Any]:
    data: dict[str, Any] = {"user": user_ref(user)}
    if entry.table_id is not None:
        data["table_id"] = str(entry.table_id)
    return data
