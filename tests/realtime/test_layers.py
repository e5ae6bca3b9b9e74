"""The embedded profile's in-memory channel layer: upstream's behaviour, cheaper per message."""

from __future__ import annotations

import asyncio

import pytest
from channels.exceptions import ChannelFull

from pokerrt.realtime.layers import InMemoryChannelLayer


async def test_a_group_send_reaches_every_member_in_order():
    layer = InMemoryChannelLayer()
    channels = [await layer.new_channel() for _ in range(3)]
    for channel in channels:
        await layer.group_add("table.1", channel)
    for n in (1, 2):
        await layer.group_send("table.1", {"type": "event.send", "seq": n})
    for channel in channels:
        assert [(await layer.receive(channel))["seq"] for _ in range(2)] == [1, 2]


async def test_each_member_gets_its_own_copy_of_the_message():
    layer = InMemoryChannelLayer()
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("g", first)
    await layer.group_add("g", second)
    message = {"type": "event.send", "text": "{}"}
    await layer.group_send("g", message)
    received = await layer.receive(first)
    received["type"] = "changed"
    assert (await layer.receive(second))["type"] == "event.send" and message["type"] == "event.send"


async def test_a_full_member_misses_the_message_and_the_others_get_it():
    layer = InMemoryChannelLayer(capacity=1)
    full, free = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("g", full)
    await layer.group_add("g", free)
    await layer.send(full, {"type": "x", "n": 0})
    await layer.group_send("g", {"type": "x", "n": 1})
    assert (await layer.receive(free))["n"] == 1
    assert (await layer.receive(full))["n"] == 0
    with pytest.raises(ChannelFull):
        await layer.send(full, {"type": "x", "n": 2})
        await layer.send(full, {"type": "x", "n": 3})


async def test_expired_messages_and_memberships_are_swept_at_most_once_per_interval(monkeypatch):
    now = [1000.0]
    # One clock for both: monotonic() paces the sweeps, time() stamps expiries.
    monkeypatch.setattr("time.monotonic", lambda: now[0])
    monkeypatch.setattr("time.time", lambda: now[0])
    layer = InMemoryChannelLayer(expiry=1, sweep_interval=5.0)
    stale = await layer.new_channel()
    await layer.group_add("g", stale)
    await layer.send(stale, {"type": "x"})
    layer._clean_expired()  # the first sweep: nothing expired yet; the next is due at 1005
    # when: the message expired, less than an interval after that sweep
    now[0] = 1002.0
    await layer.group_send("other", {"type": "y"})
    # then: not swept yet
    assert stale in layer.channels and stale in layer.groups["g"]
    # when: an interval later
    now[0] = 1005.0
    await layer.group_send("other", {"type": "y"})
    # then: the expired message is gone, and with it the channel's memberships
    assert stale not in layer.channels and stale not in layer.groups["g"]


async def _members(layer: InMemoryChannelLayer, group: str, count: int) -> list[str]:
    channels = [await layer.new_channel() for _ in range(count)]
    for channel in channels:
        await layer.group_add(group, channel)
    return channels


async def test_a_large_group_is_fanned_out_a_few_dozen_members_per_loop_turn():
    layer = InMemoryChannelLayer()
    lobby = await _members(layer, "lobby.1", 3 * layer.large_group)
    await layer.group_send("lobby.1", {"type": "event.send", "seq": 1})
    # when: the loop turns once
    await asyncio.sleep(0)
    # then: the first members have it, the rest come in later turns
    reached = [channel for channel in lobby if channel in layer.channels]
    assert len(reached) == layer.large_group
    for channel in lobby:
        assert (await layer.receive(channel))["seq"] == 1


async def test_a_small_group_sent_after_a_large_one_does_not_wait_for_it():
    layer = InMemoryChannelLayer()
    lobby = await _members(layer, "lobby.1", 3 * layer.large_group)
    (table,) = await _members(layer, "table.1", 1)
    await layer.group_send("lobby.1", {"type": "event.send", "seq": 1})
    await layer.group_send("table.1", {"type": "event.send", "seq": 7})
    assert table in layer.channels
    assert not all(channel in layer.channels for channel in lobby)
    assert (await layer.receive(table))["seq"] == 7


async def test_a_large_group_keeps_its_order_when_it_shrinks_meanwhile():
    layer = InMemoryChannelLayer()
    lobby = await _members(layer, "lobby.1", 2 * layer.large_group)
    await layer.group_send("lobby.1", {"type": "event.send", "seq": 1})
    # when: all but one leave while the first message is still being fanned out
    for channel in lobby[1:]:
        await layer.group_discard("lobby.1", channel)
    await layer.group_send("lobby.1", {"type": "event.send", "seq": 2})
    # then: the small group's next message still comes after the first
    assert [(await layer.receive(lobby[0]))["seq"] for _ in range(2)] == [1, 2]
    # and the members that left got the message sent while they belonged, not the later one
    last = lobby[-1]
    assert (await layer.receive(last))["seq"] == 1
    assert last not in layer.channels
