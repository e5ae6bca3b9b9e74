"""Staff edit lobbies over the socket through lobby/actions.py; players are refused and change nothing."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from lobby.actions import do_delete_lobby, do_update_lobby
from lobby.models import Lobby
from lobby.snapshots import lobby_snapshot
from pokerrt import errors
from pokerrt.realtime import processor
from pokerrt.realtime.envelope import Command
from pokerrt.realtime.models import Event
from tables import actions
from tests.realtime.consistency import assert_events_replay
from tournament.actions import do_create_tournament

from .helpers import send_all_rows

db = database_sync_to_async


async def event_and_ack(client, event_type: str, ref: str) -> dict:
    """The event a command caused and its ACK, which may come in either order; the event."""
    event = ack = None
    while event is None or ack is None:
        frame = await client.receive()
        if frame["type"] == event_type:
            event = frame
        elif frame["type"] == "ACK":
            assert frame["data"]["ref"] == ref
            ack = frame
        else:
            assert frame["type"] == "PING", frame
    return event


def journal() -> list[tuple[str, str, int]]:
    return list(Event.objects.values_list("target", "stream_id", "seq"))


@pytest.mark.django_db(transaction=True)
async def test_staff_create_update_and_delete_a_lobby_over_the_socket(open_socket, staff_user):
    staff = await open_socket(staff_user)
    # create: the new lobby's id in the ACK, LOBBY_CREATE on its own stream
    ack = await staff.request("LOBBY_CREATE", "LOBBY", data={"name": "Night owls"}, ref="c1")
    assert ack["type"] == "ACK", ack
    lobby_id = ack["data"]["result"]["lobby_id"]
    [created] = await db(lambda: list(Event.objects.filter(target="LOBBY", stream_id=lobby_id)))()
    assert (created.type, created.data["lobby"]["name"]) == ("LOBBY_CREATE", "Night owls")
    # update: subscribers get the lobby's own fields
    subscribed = await staff.request("SUBSCRIBE", "LOBBY", lobby_id)
    assert subscribed["data"]["state"]["lobby"] == {"id": lobby_id, "name": "Night owls", "description": ""}
    await staff.send("LOBBY_UPDATE", "LOBBY", lobby_id, data={"description": "Late games"}, ref="u1")
    update = await event_and_ack(staff, "LOBBY_UPDATE", "u1")
    assert update["data"] == {"lobby": {"id": lobby_id, "name": "Night owls", "description": "Late games"}}
    # delete: LOBBY_DELETE, then the lobby is gone for subscribers
    await staff.send("LOBBY_DELETE", "LOBBY", lobby_id, data={}, ref="d1")
    assert (await event_and_ack(staff, "LOBBY_DELETE", "d1"))["data"]["lobby"]["id"] == lobby_id
    refused = await staff.request("SUBSCRIBE", "LOBBY", lobby_id)
    assert refused["data"]["code"] == "NOT_FOUND"


@pytest.mark.django_db(transaction=True)
async def test_players_get_forbidden_and_change_nothing(open_socket, lobby, make_user):
    player = await open_socket(await db(make_user)("ann"))
    before = await db(journal)()
    for type_, data in (("LOBBY_CREATE", {"name": "Mine"}), ("LOBBY_UPDATE", {"name": "Mine"}),
                        ("LOBBY_DELETE", {})):
        lobby_id = None if type_ == "LOBBY_CREATE" else str(lobby.pk)
        refused = await player.request(type_, "LOBBY", lobby_id, data=data)
        assert refused["data"]["code"] == "FORBIDDEN", (type_, refused)
    assert await db(journal)() == before
    assert await db(lambda: list(Lobby.objects.values_list("name", "description", "deleted_at")))() == [
        ("Low stakes", "Micro cash games", None)
    ]


@pytest.mark.django_db
def test_a_lobby_with_live_tables_or_tournaments_cannot_be_deleted(lobby, make_table):
    table = make_table()
    tournament = do_create_tournament(lobby, "SNG", payout_percentages=[100])
    with pytest.raises(errors.Conflict) as refused:
        do_delete_lobby(lobby.pk)
    assert refused.value.details == {"tables": ["1 live."], "tournaments": ["1 live."]}
    assert Lobby.objects.live().filter(pk=lobby.pk).exists()
    # once they are over, it can
    actions.do_delete_table(table.pk)
    tournament.status = "cancelled"
    tournament.save()
    do_delete_lobby(lobby.pk)
    assert not Lobby.objects.live().filter(pk=lobby.pk).exists()


@pytest.mark.django_db
def test_a_deleted_lobby_takes_no_tables_and_gives_its_name_back(lobby):
    do_delete_lobby(lobby.pk)
    with pytest.raises(errors.NotFound):
        actions.do_create_table(lobby, "Late")
    with pytest.raises(errors.NotFound):
        do_update_lobby(lobby.pk, name="Again")
    from lobby.actions import do_create_lobby

    assert do_create_lobby(lobby.name).pk != lobby.pk


@pytest.mark.django_db
def test_lobby_names_are_checked(lobby):
    from lobby.actions import do_create_lobby

    with pytest.raises(errors.Validation) as taken:
        do_create_lobby("Low stakes")
    assert "name" in taken.value.details
    with pytest.raises(errors.Validation):
        do_update_lobby(lobby.pk, name="  ")
    assert lobby_snapshot(str(lobby.pk))["lobby"]["name"] == "Low stakes"


@pytest.mark.django_db
def test_a_staff_update_replays_onto_the_snapshot(lobby):
    assert_events_replay("LOBBY", lobby.pk, None, lambda: do_update_lobby(lobby.pk, name="Micro"))


@pytest.mark.django_db
def test_joining_is_for_sockets_only(lobby, make_user):
    with pytest.raises(errors.Validation):
        processor.process(Command("LOBBY_JOIN", "LOBBY", str(lobby.pk), {}), make_user("ann"))


@pytest.mark.django_db(transaction=True)
async def test_joining_subscribes_the_socket_to_the_lobbys_rows(open_socket, lobby, make_table, make_user,
                                                              hand_clock):
    ann = await db(make_user)("ann")
    table = await db(make_table)("Oak")
    socket = await open_socket(ann)
    await socket.send("LOBBY_JOIN", "LOBBY", str(lobby.pk), ref="j")
    subscribed = await socket.receive_type("SUBSCRIBED")
    assert [row["id"] for row in subscribed["data"]["state"]["tables"]] == [str(table.pk)]
    await socket.receive_type("ACK")
    # when: a player sits down and the coalescer sends the row
    await db(send_all_rows)(hand_clock)
    await db(actions.do_join_table)(ann, table.pk, 500)
    await db(send_all_rows)(hand_clock)
    # then: the joined socket hears the rows change
    frame = await socket.receive_type("LOBBY_UPDATE")
    while frame["data"]["tables"][0]["players"] != 1:
        frame = await socket.receive_type("LOBBY_UPDATE")
    assert frame["data"]["tables"][0]["id"] == str(table.pk)
