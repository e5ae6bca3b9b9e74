"""Writes to a TCP connection flushed at the end of the loop's turn, not after a trip through epoll.

Twisted buffers each ``transport.write`` and registers the socket for
writability; the next turn of the event loop finds it writable, sends, and
unregisters it. For a node that sends one small frame per socket per event
that is two ``epoll_ctl`` calls and a loop turn per frame: on the lobby
benchmark (200 subscribers of a busy lobby) the registration alone was 12% of
the event loop's CPU and the deferred send another 20%.

Here a write to an idle connection schedules one flush with ``call_soon``:
frames written in the same turn still go out in one ``send`` (the buffer is
joined as before), and the flush runs Twisted's own ``doWrite`` through the
reactor's own error handling. Only what the socket would not take waits for
writability, the way Twisted always does. TLS connections keep Twisted's path.
"""

from __future__ import annotations

from typing import Any

from twisted.internet import tcp
from twisted.internet.abstract import _dataMustBeBytes

_installed = False


def install(reactor: Any) -> None:
    """Patch ``twisted.internet.tcp.Server`` for the asyncio reactor ``reactor``; idempotent."""
    global _installed
    if _installed or not hasattr(reactor, "_asyncioEventloop"):
        return
    _installed = True
    loop = reactor._asyncioEventloop

    def flush(connection: Any) -> None:
        connection._pokerrt_flush_pending = False
        if not connection.connected or connection in reactor._writers:
            return  # gone, or Twisted's own path is already waiting for writability
        # As the reactor would call it on writability: doWrite, then any
        # disconnection it reports.
        reactor._readOrWrite(connection, False)
        if connection.connected and (connection._tempDataLen or connection.offset < len(connection.dataBuffer)):
            connection.startWriting()  # the socket's buffer is full: wait for it

    def write(self: Any, data: bytes) -> None:
        if self.TLS:
            if self.connected:
                self.protocol.write(data)
            return
        _dataMustBeBytes(data)
        if not self.connected or self._writeDisconnected or not data:
            return
        self._tempDataBuffer.append(data)
        self._tempDataLen += len(data)
        self._maybePauseProducer()
        if self in reactor._writers or getattr(self, "_pokerrt_flush_pending", False):
            return
        self._pokerrt_flush_pending = True
        loop.call_soon(flush, self)

    tcp.Server.write = write
