"""Helpers the real-time tests share (fixtures stay in conftest.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from channels.testing import WebsocketCommunicator

from .envelope_client import EnvelopeClient


class Client(EnvelopeClient):
    """A WebsocketCommunicator speaking the envelope."""

    def __init__(self, communicator: WebsocketCommunicator):
        self.communicator = communicator

    async def send_text(self, text: str) -> None:
        await self.communicator.send_to(text_data=text)

    async def receive_text(self, timeout: float) -> str:
        return await self.communicator.receive_from(timeout)

    async def request(
        self, type: str, target: str | None = None, id: Any = None, data: Any = None, ref: str = "r1"
    ) -> dict[str, Any]:
        await self.send(type, target, id, data, ref)
        while True:
            frame = await self.receive()
            if frame["type"] != "PING":
                return frame

    async def nothing(self, timeout: float = 0.2) -> bool:
        return await self.communicator.receive_nothing(timeout)

    async def close(self) -> None:
        await self.communicator.disconnect()


class PausedFlow:
    """A socket whose client reads nothing: the writer waits forever."""

    def __init__(self) -> None:
        # Set once the writer holds its first frame (the first answer) and waits.
        self.stalled = asyncio.Event()

    def has_room(self) -> bool:
        return False

    async def writable(self) -> None:
        self.stalled.set()
        await asyncio.Event().wait()
