"""What the pokerrt server keeps and does per WebSocket: autobahn's options on a class, no upgraded HTTP request, no second keepalive."""

from __future__ import annotations

import gc
import time
from types import SimpleNamespace
from unittest import mock

from django.conf import settings
from twisted.web.http import HTTPChannel

from pokerrt.realtime.server import (
    YOUNG_COLLECTION_THRESHOLD,
    RealtimeCommandLine,
    RealtimeServer,
    RealtimeWebSocketFactory,
    RealtimeWebSocketProtocol,
    tune_garbage_collector,
)


def test_autobahns_options_are_read_from_the_class_not_copied_into_each_socket():
    # given: the factory as Daphne sets it up
    factory = RealtimeWebSocketFactory(mock.Mock(), server="Daphne")
    factory.setProtocolOptions(autoPingTimeout=30, allowNullOrigin=True, openHandshakeTimeout=5)
    # when: a connection's protocol is built and autobahn copies the options it lacks
    protocol = factory.buildProtocol(None)
    protocol.peer = "tcp:127.0.0.1:1"
    protocol._connectionMade()
    # then: it has every option, none in its own __dict__
    assert protocol.maxFramePayloadSize == settings.POKERRT_REALTIME["MAX_FRAME_BYTES"]
    assert protocol.failByDrop is False and protocol.autoPingTimeout == 30
    assert not set(protocol.CONFIG_ATTRS) & set(vars(protocol))
    # a function option stays a plain function, not a method of the protocol
    assert protocol.perMessageCompressionAccept is factory.perMessageCompressionAccept


def test_once_open_the_upgraded_http_request_is_let_go():
    # given: Daphne's upgrade left its request in the HTTP channel, the transport's producer
    channel = HTTPChannel()
    channel.requests = [object()]
    protocol = RealtimeWebSocketProtocol()
    protocol.transport = SimpleNamespace(producer=channel)
    protocol.server = mock.Mock()
    protocol.request = SimpleNamespace(path="/ws/")
    protocol.client_addr = None
    # when
    protocol.onOpen()
    # then
    assert channel.requests == []


# Daphne's keepalive and its sweep of the connections (RealtimeWebSocketProtocol.check_timeouts,
# RealtimeServer.application_checker).


def _open_socket(**server: object) -> RealtimeWebSocketProtocol:
    protocol = RealtimeWebSocketProtocol()
    options = {"ping_interval": 0, "websocket_connect_timeout": 30, "websocket_timeout": 86400, **server}
    protocol.server = SimpleNamespace(**options)
    protocol.state = protocol.STATE_OPEN
    protocol.socket_opened = protocol.last_ping = time.time() - 3600
    protocol._sendAutoPing = mock.Mock()
    protocol.serverClose = mock.Mock()
    protocol.serverReject = mock.Mock()
    return protocol


def test_no_websocket_level_ping_by_default():
    # given: an open socket an hour old, never pinged by Daphne
    protocol = _open_socket()
    # when
    protocol.check_timeouts()
    # then: the protocol's PING is the keepalive; nothing is closed
    protocol._sendAutoPing.assert_not_called()
    protocol.serverClose.assert_not_called()


def test_a_ping_interval_given_turns_daphnes_ping_back_on():
    protocol = _open_socket(ping_interval=20)
    protocol.check_timeouts()
    protocol._sendAutoPing.assert_called_once()


def test_the_other_timeouts_still_hold_without_the_ping():
    # a socket older than --websocket_timeout is closed
    old = _open_socket(websocket_timeout=60)
    old.check_timeouts()
    old.serverClose.assert_called_once()
    # a handshake the application never accepted is refused after --websocket_connect_timeout
    connecting = _open_socket()
    connecting.state = connecting.STATE_CONNECTING
    connecting.check_timeouts()
    connecting.serverReject.assert_called_once()
    # -1 means no limit
    unlimited = _open_socket(websocket_timeout=-1)
    unlimited.check_timeouts()
    unlimited.serverClose.assert_not_called()


def test_the_command_line_turns_daphnes_ping_off_unless_asked():
    parse = RealtimeCommandLine().parser.parse_args
    assert parse(["app:application"]).ping_interval == 0
    assert parse(["--ping-interval", "20", "app:application"]).ping_interval == 20


def _task(*, done: bool, exception: BaseException | None = None) -> mock.Mock:
    task = mock.Mock()
    task.done.return_value = done
    task.exception.return_value = exception
    return task


def test_the_sweep_reaps_ended_applications_and_leaves_live_sockets_alone():
    server = RealtimeServer(application=mock.Mock(), endpoints=["tcp:port=0:interface=127.0.0.1"], application_close_timeout=10)
    live, ended_closed, ended_open, failed_open, slow_to_close = (mock.Mock(name=f"p{i}") for i in range(5))
    boom = ValueError("boom")
    slow = _task(done=False)
    server.connections = {
        live: {"application_instance": _task(done=False)},
        # closed, its application done: forgotten
        ended_closed: {"application_instance": _task(done=True), "disconnected": time.time()},
        # still open, its application returned: the application is let go, the socket kept
        ended_open: {"application_instance": _task(done=True)},
        # still open, its application raised: Daphne's handle_exception (a 500 or a close)
        failed_open: {"application_instance": _task(done=True, exception=boom)},
        # closed 11 s ago and its application still running: cancelled
        slow_to_close: {"application_instance": slow, "disconnected": time.time() - 11},
    }
    with mock.patch("pokerrt.realtime.server.reactor") as reactor:
        server.application_checker()
    reactor.callLater.assert_called_once_with(1, server.application_checker)
    assert set(server.connections) == {live, ended_open, failed_open, slow_to_close}
    assert "application_instance" in server.connections[live]
    assert server.connections[ended_open] == {}
    failed_open.handle_exception.assert_called_once_with(boom)
    slow.cancel.assert_called_once()
    live.handle_exception.assert_not_called()


def test_an_application_raising_keyboard_interrupt_stops_the_server():
    server = RealtimeServer(application=mock.Mock(), endpoints=["tcp:port=0:interface=127.0.0.1"])
    protocol = mock.Mock()
    server.connections = {protocol: {"application_instance": _task(done=True, exception=KeyboardInterrupt())}}
    with mock.patch("pokerrt.realtime.server.reactor"), mock.patch.object(server, "stop") as stop:
        server.application_checker()
    stop.assert_called_once()
    protocol.handle_exception.assert_not_called()


def test_the_startup_heap_is_frozen_and_the_young_generation_made_larger():
    loaded = [object()]  # stands in for what the node loaded before serving
    thresholds = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_freeze_count() > 0
        assert not any(any(o is loaded for o in gc.get_objects(generation)) for generation in (0, 1, 2))
        assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD > thresholds[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
