"""A text frame written to a WebSocket there and then, framed once for every socket it goes to.

Under the pokerrt server (server.py) each WebSocket scope carries
``extensions["pokerrt.writer"]``, a :class:`SocketWriter`: the consumer's
outbox writes an event's frame with it, synchronously, when nothing waits
ahead of the frame (outbox.py). Daphne's own way (the consumer's ``send``
coroutine, Daphne's ``handle_reply``, autobahn's ``sendMessage``) encodes
the text and builds the frame once per socket; an event goes to every
member of its group with the same text, so the frame is built once, for the
first member, and the others reuse it (autobahn's prepared messages).
"""

from __future__ import annotations

from typing import Any

from autobahn.websocket.protocol import PreparedMessage

# The last text framed and its frame: a group's members are written one
# after the other, with the very same text object.
_last: tuple[str, PreparedMessage] | None = None


def prepared(text: str) -> PreparedMessage:
    """The unmasked text frame of ``text`` (a server never masks), reused while the same text is written."""
    global _last
    last = _last
    if last is not None and last[0] is text:
        return last[1]
    frame = PreparedMessage(text.encode("utf-8"), False, False, False)
    _last = (text, frame)
    return frame


class SocketWriter:
    """Writes text frames to one WebSocket, while it is open."""

    __slots__ = ("protocol",)

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol

    def __call__(self, text: str) -> None:
        protocol = self.protocol
        # As Daphne's handle_reply: nothing once the socket closed.
        if protocol.state == protocol.STATE_OPEN:
            # With per-message compression negotiated autobahn compresses the
            # payload itself; the pokerrt server offers none.
            protocol.sendPreparedMessage(prepared(text))
