"""Every change to tables, seats and hands."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from lobby.models import Lobby

from .models import Table


def do_create_table(lobby: Lobby, name: str, **fields: Any) -> Table:
    with transaction.atomic():
        table = Table(lobby=lobby, name=name, **fields)
        table.full_clean()
        table.save()
        return table
