"""What the pokerrt server keeps per WebSocket: autobahn's options on a class, no upgraded HTTP request."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

from django.conf import settings
from twisted.web.http import HTTPChannel

from pokerrt.realtime.server import RealtimeWebSocketFactory, RealtimeWebSocketProtocol


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
