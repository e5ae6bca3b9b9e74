"""Revocations pushed to open sockets, and the bounded re-check that covers what no push carries.

A socket checks its credential against the database on its first command
and then only every CREDENTIAL_RECHECK seconds: these tests act once first,
so that what closes the socket afterwards is the push (or the re-check),
never the first command's check.
"""

from __future__ import annotations

import datetime as dt

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connections
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from pokerrt.realtime import auth, readers, revocation
from pokerrt.realtime.models import Connection

from . import tally_actions as actions

pytestmark = pytest.mark.django_db(transaction=True)

tally = database_sync_to_async(actions.tally_total)


async def closed_with(client) -> int:
    output = await client.communicator.receive_output(3)
    assert output["type"] == "websocket.close", output
    return output["code"]


async def acted(client, stream: str, ref: str) -> None:
    assert (await client.request("ADD", "TALLY", stream, {"n": 1}, ref))["type"] == "ACK"


async def session_socket(connect, user):
    http = HttpClient()
    await database_sync_to_async(http.force_login)(user)
    key = http.cookies["sessionid"].value
    return await connect(headers=[(b"cookie", f"sessionid={key}".encode())]), key


@pytest.fixture
def from_another_node(monkeypatch):
    """``from_another_node()``: revocations committed after it reach the sockets open so far over the channel layer only.

    The committing node marks the sockets it holds itself; with its registry
    emptied, the sockets are ones it does not hold, as on a node of their own.
    """
    return lambda: monkeypatch.setattr(revocation, "_local", {})


async def pushed(client) -> None:
    """A PING's PONG: the revocation sent before it was taken by the consumer before the PING."""
    assert (await client.request("PING", data={"t": 1}, ref="sync"))["type"] == "PONG"


async def test_deactivating_through_queryset_update_is_pushed(connect, token, user):
    # given: a socket that acted (its credential is checked and trusted now)
    client = await connect(token=token)
    await acted(client, "u1", "first")
    # when: the user is deactivated by a bulk update, which sends no signal
    await database_sync_to_async(get_user_model().objects.filter(pk=user.pk).update)(is_active=False)
    await client.send("ADD", "TALLY", "u1", {"n": 1}, "again")
    # then
    assert await closed_with(client) == 4401
    assert await tally("u1") == 1


async def test_deactivating_through_save_is_pushed(connect, token, user):
    client = await connect(token=token)
    await acted(client, "u2", "first")

    def deactivate() -> None:
        user.is_active = False
        user.save()

    await database_sync_to_async(deactivate)()
    await client.send("ADD", "TALLY", "u2", {"n": 1}, "again")
    assert await closed_with(client) == 4401
    assert await tally("u2") == 1


async def test_a_deactivation_reaches_a_socket_on_another_node_over_the_layer(connect, token, user, from_another_node):
    client = await connect(token=token)
    await acted(client, "u3", "first")
    from_another_node()
    await database_sync_to_async(get_user_model().objects.filter(pk=user.pk).update)(is_active=False)
    await pushed(client)
    await client.send("ADD", "TALLY", "u3", {"n": 1}, "again")
    assert await closed_with(client) == 4401
    assert await tally("u3") == 1


async def test_a_deleted_token_reaches_a_socket_on_another_node_over_the_layer(connect, token, user, from_another_node):
    client = await connect(token=token)
    await acted(client, "u4", "first")
    from_another_node()
    await database_sync_to_async(Token.objects.filter(key=token).delete)()
    await pushed(client)
    await client.send("ADD", "TALLY", "u4", {"n": 1}, "again")
    assert await closed_with(client) == 4401


async def test_a_logout_reaches_a_socket_on_another_node_over_the_layer(connect, user, from_another_node):
    client, key = await session_socket(connect, user)
    await acted(client, "u5", "first")
    from_another_node()
    await database_sync_to_async(Session.objects.filter(session_key=key).delete)()
    await pushed(client)
    await client.send("ADD", "TALLY", "u5", {"n": 1}, "again")
    assert await closed_with(client) == 4401


async def test_a_revoked_token_leaves_the_users_other_sockets_acting(connect, token, user):
    # given: the same user on a token socket and a browser socket
    by_token = await connect(token=token)
    by_session, _ = await session_socket(connect, user)
    await acted(by_token, "u6", "t1")
    await acted(by_session, "u6", "s1")
    # when: the token goes
    await database_sync_to_async(Token.objects.filter(key=token).delete)()
    # then: only the token's socket is closed
    await by_token.send("ADD", "TALLY", "u6", {"n": 1}, "t2")
    assert await closed_with(by_token) == 4401
    await acted(by_session, "u6", "s2")
    assert await tally("u6") == 3


async def test_an_acting_socket_does_not_ask_the_database_until_the_recheck_is_due(connect, token, user,
                                                                                     realtime_conf):
    # given: a socket past its first command, its commands run on one thread
    realtime_conf(COMMAND_THREADS=1)
    client = await connect(token=token)
    await acted(client, "u7", "first")
    # (the thread that runs commands has a connection of its own: capture there)
    on_command_thread = readers.in_command_thread
    queries = CaptureQueriesContext(await on_command_thread(lambda: connections["default"])())
    await on_command_thread(queries.__enter__)()
    # when: it acts again
    try:
        await acted(client, "u7", "second")
    finally:
        await on_command_thread(queries.__exit__)(None, None, None)
    # then: no statement read the user, the token or the session
    tables = ("auth_user", "authtoken_token", "django_session")
    assert queries.captured_queries  # the command's own statements were captured
    assert not [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in tables)]


async def test_an_expired_session_is_caught_by_the_recheck(manual_clock, connect, user, realtime_conf):
    # given: a browser socket that acted, and a session that then expires by time (no signal, no push)
    realtime_conf(CREDENTIAL_RECHECK=60, HEARTBEAT_INTERVAL=1000, HEARTBEAT_TIMEOUT=1000)
    client, key = await session_socket(connect, user)
    await acted(client, "u8", "first")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    await database_sync_to_async(Session.objects.filter(session_key=key).update)(expire_date=past)
    # when: within the re-check interval it still acts (the bound the push-less case has) ...
    await manual_clock.advance(59)
    await acted(client, "u8", "within")
    # ... and once the interval is over, its next command checks and is refused
    await manual_clock.advance(1)
    await client.send("ADD", "TALLY", "u8", {"n": 1}, "after")
    assert await closed_with(client) == 4401
    assert await tally("u8") == 2


async def test_a_recheck_of_zero_checks_every_command(connect, token, user, realtime_conf, from_another_node):
    # given: no trust between checks, and a deactivation no push reaches (the registry is empty and
    # the socket's presence row is gone, as after a missed push)
    realtime_conf(CREDENTIAL_RECHECK=0)
    client = await connect(token=token)
    await acted(client, "u9", "first")
    from_another_node()
    await database_sync_to_async(Connection.objects.filter(user=user).delete)()
    await database_sync_to_async(get_user_model().objects.filter(pk=user.pk).update)(is_active=False)
    # when / then
    await client.send("ADD", "TALLY", "u9", {"n": 1}, "again")
    assert await closed_with(client) == 4401


def test_a_revocation_message_names_the_credential_by_digest_only(user):
    token = auth.Credential(user.pk, token="k" * 40)
    session = auth.Credential(user.pk, session_key="s" * 32)
    by_token = {"type": revocation.MESSAGE_TYPE, "user": user.pk, "token": revocation.digest("k" * 40),
                "session": None}
    assert "k" * 40 not in str(by_token)
    assert revocation.matches(token, by_token)
    assert not revocation.matches(session, by_token)
    everyone = {**by_token, "token": None}
    assert revocation.matches(token, everyone) and revocation.matches(session, everyone)
    assert not revocation.matches(auth.Credential(user.pk + 1, token="k" * 40), everyone)
