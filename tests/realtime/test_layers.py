"""The embedded profile's in-memory channel layer: upstream's behaviour, cheaper per message."""

from __future__ import annotations

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
