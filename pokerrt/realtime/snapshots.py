"""The PLAYER stream: one private stream per user (PROTOCOL.md section 3)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from pokerrt.accounts.models import user_ref

from .registry import player_section, player_section_names


def can_subscribe_player(stream_id: str, user: Any) -> bool:
    return bool(user.is_authenticated and (str(user.pk) == stream_id or user.is_staff))


def player_exists(stream_id: str) -> bool:
    return stream_id.isdigit() and get_user_model().objects.filter(pk=int(stream_id)).exists()


def player_snapshot(stream_id: str, viewer: Any) -> dict[str, Any]:
    """``{user, balance, seats, registrations}`` of the stream's owner."""
    from pokerrt.accounts.actions import wallet_of

    owner = get_user_model().objects.get(pk=int(stream_id))
    state: dict[str, Any] = {"user": user_ref(owner), "balance": wallet_of(owner).balance}
    for name in player_section_names():
        state[name] = player_section(name, owner)
    return state



def connected_players() -> list[int]:
    from .models import Connection

    return sorted(set(Connection.objects.values_list("user_id", flat=True)))
