"""The WebSocket commands of LOBBY streams: validator, permission, handler.

Staff edit lobbies (``LOBBY_CREATE``, ``LOBBY_UPDATE``, ``LOBBY_DELETE``);
anyone logged in joins and leaves their presence (``LOBBY_JOIN``,
``LOBBY_LEAVE``), per socket: docs/lobby.md.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from pokerrt import errors
from pokerrt.realtime.processor import register_command
from pokerrt.strict import StrictSerializer

from . import actions


class CreateLobbySerializer(StrictSerializer):
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)


class UpdateLobbySerializer(StrictSerializer):
    name = serializers.CharField(max_length=80, required=False)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)


class EmptySerializer(StrictSerializer):
    """A command that takes no data."""


def staff_only(user: Any, lobby_id: str | None) -> bool:
    return bool(user.is_staff)


def _need_id(lobby_id: str | None) -> str:
    if lobby_id is None:
        raise errors.Validation("This command needs the lobby's id.", details={"id": ["Required."]})
    return lobby_id


def _create(user: Any, lobby_id: str | None, data: dict[str, Any]) -> dict[str, Any]:
    lobby = actions.do_create_lobby(data["name"], data.get("description", ""))
    return {"lobby_id": str(lobby.pk)}


def _update(user: Any, lobby_id: str | None, data: dict[str, Any]) -> None:
    actions.do_update_lobby(_need_id(lobby_id), **data)


def _delete(user: Any, lobby_id: str | None, data: dict[str, Any]) -> None:
    actions.do_delete_lobby(_need_id(lobby_id))


def _join(user: Any, lobby_id: str | None, data: dict[str, Any], socket: str) -> None:
    actions.do_join_lobby(user, _need_id(lobby_id), socket)


def _leave(user: Any, lobby_id: str | None, data: dict[str, Any], socket: str) -> None:
    actions.do_leave_lobby(user, _need_id(lobby_id), socket)


def register() -> None:
    """The commands clients may send to LOBBY streams; LobbyConfig.ready() calls it."""
    register_command("LOBBY_CREATE", "LOBBY", serializer=CreateLobbySerializer, permission=staff_only,
                     handler=_create)
    register_command("LOBBY_UPDATE", "LOBBY", serializer=UpdateLobbySerializer, permission=staff_only,
                     handler=_update)
    register_command("LOBBY_DELETE", "LOBBY", serializer=EmptySerializer, permission=staff_only,
                     handler=_delete)
    register_command("LOBBY_JOIN", "LOBBY", serializer=EmptySerializer, handler=_join, per_socket=True,
                     subscribes=True)
    register_command("LOBBY_LEAVE", "LOBBY", serializer=EmptySerializer, handler=_leave, per_socket=True)
