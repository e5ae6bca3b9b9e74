"""Every change to tournaments."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lobby.actions import lock_live_lobby
from lobby.models import Lobby

from . import lobby_rows
from .models import Tournament


def do_create_tournament(lobby: Lobby, name: str, **fields: Any) -> Tournament:
    with transaction.atomic():
        # Locked, so a lobby being deleted cannot gain a tournament meanwhile.
        lobby = lock_live_lobby(lobby.pk)
        tournament = Tournament(lobby=lobby, name=name, **fields)
        tournament.full_clean()
        tournament.save()
        lobby_rows.mark(tournament)
        return tournament
