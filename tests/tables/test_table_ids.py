"""A table answers to one spelling of its id (PROTOCOL.md section 1), over the socket."""

import pytest
from channels.db import database_sync_to_async

from tables import actions
from tables.models import Seat

pytestmark = pytest.mark.django_db(transaction=True)

MISSPELLINGS = ["0{id}", "+{id}", " {id}", "{id} ", "{arabic}"]


def spelled(pattern: str, table_id: int) -> str:
    arabic = str(table_id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    return pattern.format(id=table_id, arabic=arabic)


@pytest.mark.parametrize("pattern", MISSPELLINGS)
async def test_subscribing_to_another_spelling_is_validation_not_a_silent_group(table, sockets, pattern):
    socket = await sockets()
    # when
    await socket.send({"type": "SUBSCRIBE", "target": "TABLE", "id": spelled(pattern, table.pk), "ref": "s"})
    # then
    answer = await socket.receive()
    assert (answer["type"], answer["data"]["code"], set(answer["data"]["details"])) == ("ERROR", "VALIDATION", {"id"})


@pytest.mark.parametrize("pattern", MISSPELLINGS)
async def test_a_command_to_another_spelling_is_validation_and_changes_nothing(table, players, sockets, pattern):
    socket = await sockets(players[0])
    # when
    await socket.send({"type": "TABLE_JOIN", "target": "TABLE", "id": spelled(pattern, table.pk),
                        "data": {"buy_in": 500}, "ref": "j"})
    # then
    answer = await socket.receive()
    assert (answer["type"], answer["data"]["code"], set(answer["data"]["details"])) == ("ERROR", "VALIDATION", {"id"})
    assert not await database_sync_to_async(Seat.objects.filter(user=players[0]).exists)()


async def test_the_canonical_id_subscribes_to_the_tables_events(table, players, sockets):
    socket = await sockets()
    await socket.send({"type": "SUBSCRIBE", "target": "TABLE", "id": str(table.pk)})
    assert (await socket.receive())["type"] == "SUBSCRIBED"
    # when
    await database_sync_to_async(actions.do_join_table)(players[0], table.pk, 500)
    # then
    joined = await socket.receive()
    assert (joined["type"], joined["id"]) == ("TABLE_JOIN", str(table.pk))
