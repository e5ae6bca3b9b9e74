"""The node under a reconnect storm (pokerrt.realtime.server): listen backlog, handshake timeout, per-handshake cost."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from daphne.endpoints import build_endpoint_description_strings

from pokerrt.realtime.server import listen_backlog, with_backlog


def test_endpoints_daphne_builds_from_its_options_get_the_backlog():
    # given: what -b/-p, -u and --fd become
    endpoints = build_endpoint_description_strings("127.0.0.1", 8000, "/run/pokerrt.sock", 3)

    # when
    listening = [with_backlog(endpoint, 1024) for endpoint in endpoints]

    # then: an fd endpoint's socket listens already, with whatever backlog its opener gave
    assert listening == [
        "tcp:port=8000:interface=127.0.0.1:backlog=1024",
        "unix:/run/pokerrt.sock:backlog=1024",
        "fd:fileno=3",
    ]


def test_an_endpoint_naming_its_own_backlog_keeps_it():
    assert with_backlog("tcp:port=8000:backlog=64", 1024) == "tcp:port=8000:backlog=64"
    assert with_backlog("ssl:443:privateKey=k.pem", 1024) == "ssl:443:privateKey=k.pem:backlog=1024"


def test_the_backlog_is_capped_by_somaxconn(tmp_path):
    somaxconn = tmp_path / "somaxconn"
    somaxconn.write_text("512\n")

    assert listen_backlog(1024, somaxconn) == 512
    assert listen_backlog(100, somaxconn) == 100
    # No /proc (not Linux): the kernel caps it, if it does, where we cannot see.
    assert listen_backlog(1024, tmp_path / "missing") == 1024


@pytest.mark.live
@pytest.mark.skipif(shutil.which("ss") is None, reason="needs ss (iproute2) to read a listening socket's backlog")
def test_a_live_node_listens_with_the_backlog(django_db_setup, django_db_blocker):
    from .livenode import start_node, stop

    with django_db_blocker.unblock():
        node = start_node(POKERRT_LISTEN_BACKLOG="321")
    try:
        shown = subprocess.run(["ss", "-Hltn", f"sport = :{node.port}"], capture_output=True, text=True, check=True)
    finally:
        stop(node.proc)

    # then: for a listening socket, ss shows the backlog as Send-Q
    state, recv_q, send_q, *_ = shown.stdout.split()
    assert (state, send_q) == ("LISTEN", "321")


def test_handshakes_get_the_settings_timeout_unless_the_command_line_names_one(settings):
    from pokerrt.realtime.server import RealtimeCommandLine

    settings.POKERRT_REALTIME = {**settings.POKERRT_REALTIME, "HANDSHAKE_TIMEOUT": 45}

    assert RealtimeCommandLine().parser.parse_args(["app:application"]).websocket_connect_timeout == 45
    given = RealtimeCommandLine().parser.parse_args(["--websocket_connect_timeout", "7", "app:application"])
    assert given.websocket_connect_timeout == 7


def test_autobahns_per_connection_debug_line_is_formatted_only_when_written():
    import pprint

    from autobahn.websocket import protocol

    from pokerrt.realtime.server import format_debug_lines_lazily

    format_debug_lines_lazily()
    options = [("openHandshakeTimeout", 30, "RealtimeWebSocketFactory")] * 40

    formatted = protocol.pformat(options)

    assert not isinstance(formatted, str)
    assert f"{formatted}" == pprint.pformat(options)
    timings = protocol.Timings()
    timings.track("onOpen")
    assert "onOpen" in str(timings)
