"""Live nodes for the real-time tests: ``python -m pokerrt.realtime.server`` on the test DB,
serving the project's application plus the test-only TALLY stream, and a websockets client.
"""

from __future__ import annotations

import asyncio
import subprocess
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from tests.live import start_daphne, stop
from tests.realtime.envelope_client import EnvelopeClient

__all__ = ["Node", "start_node", "stop", "Socket"]


class Node:
    def __init__(self, proc: subprocess.Popen, port: int):
        self.proc = proc
        self.port = port

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    async def open(self, token: str | None = None, **kwargs: Any) -> Socket:
        headers = {"Authorization": f"Token {token}"} if token else None
        return Socket(await connect(self.url, additional_headers=headers, **kwargs))


def start_node(**env: str) -> Node:
    """Start a node serving the TALLY test stream too; ``env`` such as POKERRT_HEARTBEAT_INTERVAL="0.3"."""
    proc, port = start_daphne(application="tests.realtime.tally_asgi:application", **env)
    return Node(proc, port)


class Socket(EnvelopeClient):
    """A real websockets client speaking the envelope."""

    # Failure bounds only: a wait ends with the frame it waits for, however
    # busy the machine that serves it.
    default_timeout = 60.0

    def __init__(self, ws: ClientConnection):
        self.ws = ws

    async def send_text(self, text: str) -> None:
        await self.ws.send(text)

    async def receive_text(self, timeout: float) -> str:
        return await asyncio.wait_for(self.ws.recv(), timeout)

    async def request(
        self, type: str, target: str | None = None, id: Any = None, data: Any = None, ref: str = "r"
    ) -> dict[str, Any]:
        await self.send(type, target, id, data, ref)
        while True:
            frame = await self.receive()
            if frame["type"] != "PING" and frame.get("data", {}).get("ref") == ref:
                return frame

    async def close_code(self, timeout: float = 60) -> int | None:
        """Wait for the server to close; the close code it sent."""
        try:
            async with asyncio.timeout(timeout):
                async for _ in self.ws:
                    pass
        except Exception:
            pass
        await asyncio.wait_for(self.ws.wait_closed(), timeout)
        return self.ws.close_code

    async def close(self) -> None:
        await self.ws.close()
