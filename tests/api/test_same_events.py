"""A change made over REST or in the admin journals the same events as the same change over the socket.

Each door makes the same changes to its own table (or tournament); the
events journaled on its streams are then compared type by type and payload
by payload, with what must differ (the table's id, the player) named alike.
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.admin import helpers
from django.test import Client as PageClient
from django.urls import reverse
from rest_framework.test import APIClient

from lobby.actions import do_create_lobby
from lobby.models import Lobby
from pokerrt.realtime.models import Event
from tables.models import Seat, Table
from tournament.actions import do_create_tournament

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async

SETTINGS = {"small_blind": 5, "big_blind": 10, "min_buy_in": 100, "max_buy_in": 1000, "max_seats": 6}


def normalised(value: Any) -> Any:
    """The payload with the table's and the player's identities replaced by placeholders."""
    if isinstance(value, dict):
        if set(value) == {"id", "username"}:
            return "<user>"
        out = {}
        for key, item in value.items():
            if key in ("table_id", "tournament_id") or (key == "id" and "max_seats" in value):
                out[key] = f"<{key}>"
            elif key == "id" and "buy_in" in value:
                out[key] = "<tournament_id>"
            elif key == "id" and set(value) == {"id", "name", "description"}:
                out[key] = "<lobby_id>"
            else:
                out[key] = normalised(item)
        return out
    if isinstance(value, list):
        return [normalised(item) for item in value]
    return value


def journal(target: str, stream_id: Any) -> list[tuple[str, Any]]:
    rows = Event.objects.filter(target=target, stream_id=str(stream_id)).order_by("seq")
    return [(row.type, normalised(row.data)) for row in rows]


async def tables_over_the_socket(open_socket, lobby, staff, player) -> int:
    boss, me = await open_socket(staff), await open_socket(player)
    created = await boss.request("TABLE_CREATE", "TABLE", None, {"lobby": lobby.pk, "name": "Same", **SETTINGS})
    assert created["type"] == "ACK", created
    table_id = created["data"]["result"]["table_id"]
    assert (await boss.request("TABLE_UPDATE", "TABLE", str(table_id), {"name": "Same 2"}))["type"] == "ACK"
    assert (await me.request("TABLE_JOIN", "TABLE", str(table_id), {"buy_in": 500, "seat": 2}))["type"] == "ACK"
    assert (await me.request("TABLE_LEAVE", "TABLE", str(table_id), {}))["type"] == "ACK"
    assert (await boss.request("TABLE_DELETE", "TABLE", str(table_id), {}))["type"] == "ACK"
    return int(table_id)


def tables_over_rest(lobby, staff, player) -> int:
    boss, me = APIClient(), APIClient()
    boss.force_authenticate(staff)
    me.force_authenticate(player)
    table_id = boss.post("/api/tables/", {"lobby": lobby.pk, "name": "Same", **SETTINGS}, format="json").json()["id"]
    assert boss.patch(f"/api/tables/{table_id}/", {"name": "Same 2"}, format="json").status_code == 200
    assert me.post(f"/api/tables/{table_id}/seat/", {"buy_in": 500, "seat": 2}, format="json").status_code == 201
    assert me.delete(f"/api/tables/{table_id}/seat/").status_code == 200
    assert boss.delete(f"/api/tables/{table_id}/").status_code == 204
    return int(table_id)


def tables_in_the_admin(lobby, staff, player) -> int:
    """Staff create, rename and close in the admin; the player sits over REST and staff stand them up."""
    page = PageClient()
    page.force_login(staff)
    form = {"lobby": lobby.pk, "name": "Same", "ante": 0, "action_seconds": 20, "time_bank_seconds": 30, **SETTINGS}
    assert page.post(reverse("admin:tables_table_add"), form).status_code == 302
    table = Table.objects.filter(name="Same").latest("id")
    assert page.post(reverse("admin:tables_table_change", args=[table.pk]), {**form, "name": "Same 2"}).status_code == 302
    me = APIClient()
    me.force_authenticate(player)
    assert me.post(f"/api/tables/{table.pk}/seat/", {"buy_in": 500, "seat": 2}, format="json").status_code == 201
    seat = Seat.objects.get(table=table, user=player)
    page.post(reverse("admin:tables_seat_changelist"),
              {"action": "stand_up", helpers.ACTION_CHECKBOX_NAME: [str(seat.pk)]})
    assert page.post(reverse("admin:tables_table_delete", args=[table.pk]), {"post": "yes"}).status_code == 302
    return table.pk


async def test_table_changes_journal_the_same_events_from_every_door(open_socket, make_user):
    lobby = await db(do_create_lobby)("Doors")
    staff = await db(make_user)("boss", is_staff=True, is_superuser=True)
    players = [await db(make_user)(name) for name in ("sock", "rest", "page")]

    by_socket = await tables_over_the_socket(open_socket, lobby, staff, players[0])
    by_rest = await db(tables_over_rest)(lobby, staff, players[1])
    by_admin = await db(tables_in_the_admin)(lobby, staff, players[2])

    socket_events = await db(journal)("TABLE", by_socket)
    assert [kind for kind, _ in socket_events] == ["TABLE_CREATE", "TABLE_UPDATE", "TABLE_JOIN", "TABLE_LEAVE",
                                                   "TABLE_DELETE"]
    assert await db(journal)("TABLE", by_rest) == socket_events
    assert await db(journal)("TABLE", by_admin) == socket_events
    socket_private = await db(journal)("PLAYER", players[0].pk)
    assert [kind for kind, _ in socket_private] == ["TABLE_JOIN", "TABLE_LEAVE"]
    assert await db(journal)("PLAYER", players[1].pk) == socket_private
    assert await db(journal)("PLAYER", players[2].pk) == socket_private


async def test_registration_journals_the_same_events_over_rest_and_the_socket(open_socket, make_user):
    lobby = await db(do_create_lobby)("Doors")
    events = []
    for door in ("socket", "rest"):
        tournament = await db(do_create_tournament)(lobby, "Same SNG", buy_in=100, fee=10, max_players=6,
                                                     table_size=6)
        player = await db(make_user)(f"{door}-player")
        if door == "socket":
            me = await open_socket(player)
            assert (await me.request("TOURNAMENT_REGISTER", "TOURNAMENT", str(tournament.pk), {}))["type"] == "ACK"
            assert (await me.request("TOURNAMENT_UNREGISTER", "TOURNAMENT", str(tournament.pk), {}))["type"] == "ACK"
        else:
            me = APIClient()
            me.force_authenticate(player)
            assert (await db(me.post)(f"/api/tournaments/{tournament.pk}/registration/")).status_code == 201
            assert (await db(me.delete)(f"/api/tournaments/{tournament.pk}/registration/")).status_code == 200
        public = await db(journal)("TOURNAMENT", tournament.pk)
        private = await db(journal)("PLAYER", player.pk)
        events.append((public, private))
    (socket_public, socket_private), (rest_public, rest_private) = events
    assert [kind for kind, _ in socket_public] == ["TOURNAMENT_CREATE", "TOURNAMENT_REGISTER",
                                                   "TOURNAMENT_UNREGISTER"]
    assert rest_public == socket_public
    assert rest_private == socket_private


async def test_lobby_changes_journal_the_same_events_from_every_door(open_socket, make_user):
    staff = await db(make_user)("boss", is_staff=True, is_superuser=True)
    boss = await open_socket(staff)
    rest = APIClient()
    rest.force_authenticate(staff)
    page = PageClient()
    await db(page.force_login)(staff)
    lobbies = []
    # One door after the other: a deleted lobby gives its name back for the next.
    created = await boss.request("LOBBY_CREATE", "LOBBY", None, {"name": "Same"})
    lobby_id = created["data"]["result"]["lobby_id"]
    assert (await boss.request("LOBBY_UPDATE", "LOBBY", lobby_id, {"description": "d"}))["type"] == "ACK"
    assert (await boss.request("LOBBY_DELETE", "LOBBY", lobby_id, {}))["type"] == "ACK"
    lobbies.append(lobby_id)

    def over_rest() -> str:
        made = rest.post("/api/lobbies/", {"name": "Same"}, format="json").json()["id"]
        assert rest.patch(f"/api/lobbies/{made}/", {"description": "d"}, format="json").status_code == 200
        assert rest.delete(f"/api/lobbies/{made}/").status_code == 204
        return made

    def in_the_admin() -> str:
        assert page.post(reverse("admin:lobby_lobby_add"), {"name": "Same", "description": ""}).status_code == 302
        made = Lobby.objects.latest("id").pk
        assert page.post(reverse("admin:lobby_lobby_change", args=[made]),
                         {"name": "Same", "description": "d"}).status_code == 302
        assert page.post(reverse("admin:lobby_lobby_delete", args=[made]), {"post": "yes"}).status_code == 302
        return str(made)

    lobbies.append(await db(over_rest)())
    lobbies.append(await db(in_the_admin)())
    by_socket, by_rest, by_admin = [await db(journal)("LOBBY", lobby) for lobby in lobbies]
    assert [kind for kind, _ in by_socket] == ["LOBBY_CREATE", "LOBBY_UPDATE", "LOBBY_DELETE"]
    assert by_rest == by_socket
    assert by_admin == by_socket
