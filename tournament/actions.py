"""Every change to tournaments."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lobby.models import Lobby

from .models import Tournament


def do_create_tournament(lobby: Lobby, name: str, **fields: Any) -> Tournament:
    with transaction.atomic():
        tournament = Tournament(lobby=lobby, name=name, **fields)
        tournament.full_clean()
        tournament.save()
        return tournament
