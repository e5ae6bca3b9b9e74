"""What both test clients share: building envelope frames and reading them back.

``Client`` (tests/realtime/helpers.py) speaks through a WebsocketCommunicator,
``Socket`` (tests/realtime/livenode.py) through a real websockets connection;
each supplies only how text goes out and comes in.
"""

from __future__ import annotations

import json
from typing import Any

from tests.event_checks import assert_frame_matches


class EnvelopeClient:
    default_timeout = 3.0

    async def send_text(self, text: str) -> None:
        raise NotImplementedError

    async def receive_text(self, timeout: float) -> str:
        raise NotImplementedError

    async def send(
        self, type: str, target: str | None = None, id: Any = None, data: Any = None,
        ref: str | None = None, **extra: Any,
    ) -> None:
        frame: dict[str, Any] = {"type": type, **extra}
        for name, value in (("target", target), ("id", id), ("data", data), ("ref", ref)):
            if value is not None:
                frame[name] = value
        await self.send_text(json.dumps(frame))

    async def receive(self, timeout: float | None = None) -> dict[str, Any]:
        """The next frame, once it proved to match its schema (tests/event_checks.py)."""
        return assert_frame_matches(json.loads(await self.receive_text(timeout or self.default_timeout)))

    async def receive_type(self, type: str, timeout: float | None = None) -> dict[str, Any]:
        """The next frame of ``type``, skipping server PINGs."""
        while True:
            frame = await self.receive(timeout)
            if frame["type"] == type:
                return frame
            assert frame["type"] == "PING", frame
