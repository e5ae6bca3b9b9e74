"""A socket whose user was deactivated, or whose token or session is gone, cannot act: close 4401."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient
from rest_framework.authtoken.models import Token

from lobby.actions import do_create_lobby
from pokerrt.accounts.actions import wallet_of
from pokerrt.realtime import auth
from tables.actions import do_create_table
from tables.models import Seat

from . import tally_actions as actions

pytestmark = pytest.mark.django_db(transaction=True)

add = database_sync_to_async(actions.do_add)
tally = database_sync_to_async(actions.tally_total)


@database_sync_to_async
def deactivate(user) -> None:
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)


@database_sync_to_async
def delete_token(key: str) -> None:
    Token.objects.filter(key=key).delete()


async def closed_with(client) -> int:
    output = await client.communicator.receive_output(3)
    assert output["type"] == "websocket.close", output
    return output["code"]


async def session_socket(connect, user) -> tuple[object, HttpClient]:
    """A browser's socket: the session cookie of a login."""
    http = HttpClient()
    await database_sync_to_async(http.force_login)(user)
    cookie = f"sessionid={http.cookies['sessionid'].value}".encode()
    return await connect(headers=[(b"cookie", cookie)]), http


async def test_a_deactivated_user_cannot_buy_in_through_an_open_socket(connect, token, user):
    # given: a socket opened while the user was active, and a cash table
    table = await database_sync_to_async(
        lambda: do_create_table(do_create_lobby("Revoked"), "T", small_blind=5, big_blind=10, min_buy_in=100)
    )()
    balance = await database_sync_to_async(lambda: wallet_of(user).balance)()
    client = await connect(token=token)
    # when: staff deactivate the user, and the socket asks for a seat with 2,000 chips
    await deactivate(user)
    await client.send("TABLE_JOIN", "TABLE", table.pk, {"buy_in": 2000}, "join")
    # then: the socket is closed as for a bad token, and nothing moved
    assert await closed_with(client) == 4401
    assert not await database_sync_to_async(Seat.objects.filter(user=user).exists)()
    assert await database_sync_to_async(lambda: wallet_of(user).balance)() == balance


async def test_a_deleted_token_cannot_act(connect, token, user):
    client = await connect(token=token)
    assert (await client.request("ADD", "TALLY", "r1", {"n": 1}))["type"] == "ACK"
    await delete_token(token)
    await client.send("ADD", "TALLY", "r1", {"n": 1}, "again")
    assert await closed_with(client) == 4401
    assert await tally("r1") == 1


async def test_a_logged_out_session_cannot_act(connect, user):
    client, http = await session_socket(connect, user)
    assert (await client.request("ADD", "TALLY", "r2", {"n": 1}))["type"] == "ACK"
    await database_sync_to_async(http.logout)()
    await client.send("ADD", "TALLY", "r2", {"n": 1}, "again")
    assert await closed_with(client) == 4401
    assert await tally("r2") == 1


async def test_a_deactivated_session_user_cannot_act(connect, user):
    client, _ = await session_socket(connect, user)
    await deactivate(user)
    await client.send("ADD", "TALLY", "r3", {"n": 1}, "again")
    assert await closed_with(client) == 4401
    assert await tally("r3") == 0


async def test_a_revoked_socket_cannot_subscribe_to_its_private_stream(connect, token, user):
    client = await connect(token=token)
    await delete_token(token)
    await client.send("SUBSCRIBE", "PLAYER", user.pk, None, "mine")
    assert await closed_with(client) == 4401


async def test_anonymous_sockets_and_pings_are_not_checked(connect, token, user):
    anonymous = await connect()
    signed_in = await connect(token=token)
    await deactivate(user)
    for client in (anonymous, signed_in):
        assert (await client.request("PING", data={"t": 1}, ref="p"))["type"] == "PONG"
    assert (await anonymous.request("SUBSCRIBE", "TALLY", "r4"))["type"] == "SUBSCRIBED"


async def test_a_valid_credential_keeps_acting(connect, token, user):
    client = await connect(token=token)
    for expected in (1, 2, 3):
        ack = await client.request("ADD", "TALLY", "r5", {"n": 1}, ref=f"c{expected}")
        assert ack["data"]["result"] == {"total": expected}


@pytest.mark.parametrize("kind", ["token", "session"])
def test_the_check_is_one_query(django_assert_num_queries, user, token, kind):
    if kind == "token":
        credential = auth.Credential(user.pk, token=token)
    else:
        http = HttpClient()
        http.force_login(user)
        credential = auth.Credential(user.pk, session_key=http.cookies["sessionid"].value)
    with django_assert_num_queries(1):
        assert auth.credential_valid(credential)
