"""The drill client's answer to INTERNAL: the same action again, after a backoff, while its decision stands."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from loadtest import drill_client
from loadtest.drill_client import DrillClient


class Wire:
    """The client's socket: what it sent, as frames."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))

    def actions(self) -> list[dict[str, Any]]:
        return [frame for frame in self.sent if frame["type"] == "PLAYER_ACTION"]


def to_act(turn: int, user_id: str = "7") -> dict[str, Any]:
    return {"seat": 2, "user": {"id": user_id, "username": "p"}, "to_call": 0, "min_raise_to": 20,
            "max_raise_to": 1000, "deadline": "2026-11-28T09:00:00.000Z", "legal": ["check", "bet"], "turn": turn}


def action_event(seq: int, turn: int, user_id: str) -> dict[str, Any]:
    return {"type": "PLAYER_ACTION", "target": "TABLE", "id": "1", "seq": seq, "epoch": "e",
            "event_id": f"ev{seq}", "data": {"hand_id": "5", "seat": 1, "user": {"id": "8", "username": "q"},
                                             "action": "check", "amount": 0, "stack": 990, "pot": 20,
                                             "to_act": to_act(turn, user_id)}}


def internal(ref: str) -> dict[str, Any]:
    return {"type": "ERROR", "data": {"code": "INTERNAL", "message": "Internal error.", "ref": ref}}


@pytest.fixture(autouse=True)
def no_wait(monkeypatch):
    monkeypatch.setattr(drill_client, "BUSY_FIRST", 0.0)


async def settled(client: DrillClient) -> None:
    """Let the client's resend tasks run."""
    for _ in range(5):
        await asyncio.sleep(0)
    if client._thinking:
        await asyncio.gather(*client._thinking)


async def seated_client() -> tuple[DrillClient, Wire]:
    """A player holding TABLE 1 and live, asked to act at turn 3 of hand 5."""
    client = DrillClient(url="ws://x/ws/", token="k", user_id="7", nodes=["ws://x/ws/"], table_id="1",
                         streams=[("TABLE", "1")])
    wire = Wire()
    client._ws = wire
    await client.on_frame({"type": "SUBSCRIBED", "target": "TABLE", "id": "1",
                           "data": {"seq": 10, "epoch": "e", "recovered": False,
                                    "state": {"hand": {"hand_id": "5", "to_act": to_act(3)}}}})
    assert client.live
    return client, wire


async def test_an_action_answered_internal_is_sent_again_with_its_turn_until_it_is_taken():
    # given: a player who answered its decision
    client, wire = await seated_client()
    [first] = wire.actions()
    assert (first["data"]["hand_id"], first["data"]["turn"]) == ("5", 3)
    # when: the server answers INTERNAL, twice
    await client.on_frame(internal(first["ref"]))
    await settled(client)
    second = wire.actions()[-1]
    await client.on_frame(internal(second["ref"]))
    await settled(client)
    # then: the same action went out again each time, under a new ref
    sent = wire.actions()
    assert [frame["data"] for frame in sent] == [first["data"]] * 3
    assert len({frame["ref"] for frame in sent}) == 3
    assert client.resent_after_internal == 2
    assert [error["code"] for error in client.errors] == ["INTERNAL", "INTERNAL"]
    # and a copy the turn guard refuses (the first had landed after all) is counted, not an error
    await client.on_frame({"type": "ERROR", "data": {"code": "CONFLICT", "message": "turn passed",
                                                     "ref": sent[-1]["ref"]}})
    assert client.resends_refused == 1
    assert len(client.errors) == 2


async def test_no_resend_once_the_hand_moved_past_the_decision():
    # given: an action answered INTERNAL
    client, wire = await seated_client()
    [first] = wire.actions()
    await client.on_frame(internal(first["ref"]))
    # when: before the backoff ends, an event shows the decision is gone (the clock acted, say)
    await client.on_frame(action_event(11, 4, "8"))
    await settled(client)
    # then: nothing was sent again
    assert wire.actions() == [first]
    assert client.resent_after_internal == 0


async def test_internal_for_another_command_does_not_resend_the_action():
    client, wire = await seated_client()
    await client.on_frame(internal("r999"))
    await settled(client)
    assert len(wire.actions()) == 1
    assert client.resent_after_internal == 0
