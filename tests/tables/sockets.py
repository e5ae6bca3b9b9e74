"""In-process WebSocket clients of /ws/ for table tests; open them with the ``sockets`` fixture."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.authtoken.models import Token

from pokerrt.realtime.routing import websocket_application
from tests.event_checks import assert_frame_matches

# A failure bound only: every frame a test waits for comes in a fraction of it.
PATIENCE = 60


class Socket:
    """One client connection, speaking JSON frames."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator

    @classmethod
    async def open(cls, user: Any = None) -> Socket:
        """Authenticated as ``user`` by token (anonymous without one)."""
        headers = []
        if user is not None:
            key = await database_sync_to_async(lambda: Token.objects.get_or_create(user=user)[0].key)()
            headers.append((b"authorization", f"Token {key}".encode()))
        communicator = WebsocketCommunicator(websocket_application(), "/ws/", headers=headers)
        accepted, _ = await communicator.connect()
        assert accepted
        return cls(communicator)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.communicator.send_to(text_data=json.dumps(frame))

    async def receive(self) -> dict[str, Any]:
        """The next frame, once it proved to match its schema (tests/event_checks.py)."""
        return assert_frame_matches(json.loads(await self.communicator.receive_from(PATIENCE)))

    async def close(self) -> None:
        await self.communicator.disconnect()
