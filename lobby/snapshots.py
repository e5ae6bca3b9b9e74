"""The public state of LOBBY streams: the lobby, its directory rows and who is there."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from .directory import rows
from .models import Lobby, Member


def lobby_info(lobby: Lobby) -> dict[str, Any]:
    """The lobby's own fields: what ``lobby`` carries in every LOBBY event and snapshot."""
    return {"id": str(lobby.pk), "name": lobby.name, "description": lobby.description}


def members(lobby_id: int) -> list[dict[str, str]]:
    """The users present, each once however many of their sockets joined, by id."""
    users = get_user_model().objects.filter(
        pk__in=Member.objects.filter(lobby_id=lobby_id).values("user_id")
    ).order_by("pk")
    return [{"id": str(user.pk), "username": user.get_username()} for user in users]


def member_count(lobby_id: int) -> int:
    return Member.objects.filter(lobby_id=lobby_id).values("user_id").distinct().count()


def lobby_snapshot(lobby_id: str, user: Any = None) -> dict[str, Any]:
    """The whole public state of a lobby (PROTOCOL.md section 6, Lobby)."""
    lobby = Lobby.objects.get(pk=int(lobby_id))
    return {
        "lobby": lobby_info(lobby),
        "tables": rows("tables", lobby.pk),
        "tournaments": rows("tournaments", lobby.pk),
        "members": members(lobby.pk),
    }


def lobby_exists(lobby_id: str) -> bool:
    return lobby_id.isdigit() and Lobby.objects.live().filter(pk=int(lobby_id)).exists()
