"""Every frame over MAX_FRAME_BYTES gets close 1009 from a live node, however big it is."""

from __future__ import annotations

import pytest
from websockets.exceptions import ConnectionClosed

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def message(size: int) -> str:
    return '{"type": "PING", "data": {"t": "%s"}}' % ("x" * size)


@pytest.mark.parametrize("size", [70_000, 1536 * 1024, 5 * 1024 * 1024], ids=["70KB", "1.5MiB", "5MiB"])
@pytest.mark.parametrize("kind", ["text", "binary"])
async def test_a_frame_over_the_limit_is_closed_1009(node, size, kind):
    client = await node.open()
    text = message(size)
    try:
        await client.ws.send(text if kind == "text" else text.encode())
    except ConnectionClosed:
        pass  # the server may close while the frame is still going out
    assert await client.close_code(timeout=20) == 1009


@pytest.mark.parametrize("size", [70_000, 1536 * 1024, 5 * 1024 * 1024], ids=["70KB", "1.5MiB", "5MiB"])
async def test_a_message_over_the_limit_in_small_fragments_is_closed_1009(node, size):
    client = await node.open()
    text = message(size)
    fragments = (text[start:start + 16384] for start in range(0, len(text), 16384))
    try:
        await client.ws.send(fragments)
    except ConnectionClosed:
        pass
    assert await client.close_code(timeout=20) == 1009


async def test_a_frame_at_the_limit_is_taken(node):
    client = await node.open()
    envelope = '{"type": "PING", "data": {"t": "%s"}, "ref": "big"}'
    payload = envelope % ("x" * (64 * 1024 - len(envelope % "")))
    assert len(payload.encode()) == 64 * 1024
    await client.ws.send(payload)
    pong = await client.receive_type("PONG")
    assert pong["data"]["ref"] == "big"
    await client.close()
