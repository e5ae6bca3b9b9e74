"""A stream event that asks a user to act gives that user's connections a command token back.

The TALLY test stream is declared here with an ``awaited_user`` hook that
names one user for every event, as a table names the player to act.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from rest_framework.authtoken.models import Token

from pokerrt.realtime.registry import register_stream

from . import tally_actions as actions
from . import tally_streams as streams

pytestmark = pytest.mark.django_db(transaction=True)

add = database_sync_to_async(actions.do_add)


@pytest.fixture
def asking(user):
    """TALLY events ask ``user`` to act."""
    register_stream("TALLY", can_subscribe=streams.can_subscribe, snapshot=streams.snapshot,
                    exists=streams.exists, awaited_user=lambda event_type, data: str(user.pk))


@pytest.fixture
def budget(realtime_conf):
    """Two commands, and no refill while the test runs."""
    realtime_conf(RATE_PER_SECOND=0, RATE_BURST=2)


async def subscribed(connect, token=None):
    client = await connect(token=token)
    assert (await client.request("SUBSCRIBE", "TALLY", "1"))["type"] == "SUBSCRIBED"
    return client


async def test_answering_each_request_never_runs_out_of_budget(connect, token, asking, budget):
    client = await subscribed(connect, token)
    for turn in range(5):
        await add("1", n=1)
        assert (await client.receive_type("ADD"))["data"]["total"] == turn + 1
        answer = await client.request("PING", data={"t": turn}, ref=f"a{turn}")
        assert answer["type"] == "PONG", answer


async def test_requests_never_raise_the_budget_above_the_burst(connect, token, asking, budget):
    client = await subscribed(connect, token)
    await add("1", n=1, times=5)
    for _ in range(5):
        await client.receive_type("ADD")
    answers = [await client.request("PING", data={"t": n}, ref=f"p{n}") for n in range(3)]
    assert [a["type"] for a in answers] == ["PONG", "PONG", "ERROR"]
    assert answers[2]["data"]["code"] == "RATE_LIMITED"


async def test_other_users_connections_get_no_token(connect, make_user, asking, budget):
    other = await database_sync_to_async(lambda: Token.objects.create(user=make_user("bob")).key)()
    clients = [await subscribed(connect, other), await subscribed(connect)]
    await add("1", n=1)
    for client in clients:
        await client.receive_type("ADD")
        answers = [await client.request("PING", data={"t": n}, ref=f"p{n}") for n in range(2)]
        assert [a["type"] for a in answers] == ["PONG", "ERROR"]
