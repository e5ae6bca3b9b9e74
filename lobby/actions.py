"""Every change to lobbies."""

from __future__ import annotations

from django.db import transaction

from .models import Lobby


def do_create_lobby(name: str, description: str = "") -> Lobby:
    with transaction.atomic():
        return Lobby.objects.create(name=name, description=description)
