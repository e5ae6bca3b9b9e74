"""Lobbies in the admin go through lobby.actions: the same checks and events as the socket commands."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lobby.models import Lobby
from pokerrt.realtime.models import Event

pytestmark = pytest.mark.django_db


def lobby_events(lobby_id: int) -> list[str]:
    return list(Event.objects.filter(target="LOBBY", stream_id=str(lobby_id)).values_list("type", flat=True))


def test_a_lobby_added_changed_and_deleted_in_the_admin_emits_its_events(admin_client):
    response = admin_client.post(reverse("admin:lobby_lobby_add"), {"name": "Admin's", "description": ""})
    assert response.status_code == 302
    lobby = Lobby.objects.get(name="Admin's")
    response = admin_client.post(reverse("admin:lobby_lobby_change", args=[lobby.pk]),
                                 {"name": "Admin's", "description": "Renamed"})
    assert response.status_code == 302
    response = admin_client.post(reverse("admin:lobby_lobby_delete", args=[lobby.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert lobby_events(lobby.pk) == ["LOBBY_CREATE", "LOBBY_UPDATE", "LOBBY_DELETE"]
    assert Lobby.objects.get(pk=lobby.pk).deleted_at is not None


def test_a_lobby_with_live_tables_cannot_be_deleted_in_the_admin(admin_client, lobby, make_table):
    make_table()
    page = admin_client.get(reverse("admin:lobby_lobby_delete", args=[lobby.pk]))
    assert b"1 live tables" in page.content
    admin_client.post(reverse("admin:lobby_lobby_delete", args=[lobby.pk]), {"post": "yes"})
    assert Lobby.objects.live().filter(pk=lobby.pk).exists()
    assert lobby_events(lobby.pk) == ["LOBBY_CREATE"]
