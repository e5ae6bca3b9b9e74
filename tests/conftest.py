"""Fixtures shared by the whole suite, and the service markers' policy.

A test marked ``postgres``, ``redis`` or ``rabbitmq`` runs against the real
service when it answers. When it does not, the test is skipped with the
reason, except under ``CI=true`` where a missing service fails the run.
A ``postgres`` test also needs the suite's own database to be PostgreSQL (CI's
second run, with DATABASE_URL): on SQLite it is skipped, even under CI, since
a PostgreSQL server answering nearby proves nothing about the database in use.
"""

from __future__ import annotations

import os

import pytest

from tests.services import SERVICE_URLS, answers

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def drills_asked(config: pytest.Config) -> bool:
    """Drills stop services other runs on the machine use: only when asked for by name."""
    return (config.getoption("markexpr", "") or "").strip() == "drill" or os.environ.get("POKERRT_DRILLS") == "1"


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("drill") and not drills_asked(item.config):
        pytest.skip("restarts shared services: run with -m drill (or POKERRT_DRILLS=1)")
    for service in SERVICE_URLS:
        if item.get_closest_marker(service) and not answers(service):
            reason = f"{service} does not answer at {SERVICE_URLS[service]}"
            if IN_CI:
                pytest.fail(f"{reason} (CI=true requires it)", pytrace=False)
            pytest.skip(reason)
    if item.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip(f"needs the test database on PostgreSQL, not {connection.vendor} (set DATABASE_URL)")


@pytest.fixture(autouse=True)
def close_worker_connections(django_db_blocker):
    """Close the connections of a node's reader and command threads (PostgreSQL) after each test.

    Those threads outlive the test, and an open connection keeps the test
    database from being dropped. Unblocked: closing is not database access.
    """
    yield
    from pokerrt.realtime import readers

    with django_db_blocker.unblock():
        readers.close_connections()


@pytest.fixture(autouse=True)
def fresh_cache():
    """What the cache counts (the log-in and sign-up limits) starts from zero in every test."""
    from django.core.cache import cache

    cache.clear()


_DB_FIXTURES = ("transactional_db", "db")


def _database_used(request: pytest.FixtureRequest) -> bool:
    """Whether the test touches the database; if so, the database outlives the caller's teardown."""
    used = next((name for name in _DB_FIXTURES if name in request.fixturenames), None)
    marker = request.node.get_closest_marker("django_db")
    if used is None and marker is None:
        return False
    if used is None:
        used = "transactional_db" if marker.kwargs.get("transaction") else "db"
    # Requested here so the database outlives the calling fixture's teardown.
    request.getfixturevalue(used)
    return True


@pytest.fixture(autouse=True)
def chips_conserved(request: pytest.FixtureRequest):
    """After every test that touched the database, the chip audit holds."""
    if not _database_used(request):
        yield
        return
    yield
    if request.node.get_closest_marker("live"):
        wait_for_live_nodes_to_settle()
    if getattr(request.node, "skip_chip_audit", False):
        return
    from pokerrt.accounts.audit import audit

    problems = audit()
    assert not problems, "chip audit failed after the test:\n" + "\n".join(problems)


@pytest.fixture(autouse=True)
def events_match_schemas(request: pytest.FixtureRequest):
    """After every test that touched the database, each event it journaled matches its app's schema.

    The journal holds every event the test emitted that committed (or is
    still in the test's transaction), from this process or a live node.
    """
    if not _database_used(request):
        yield
        return
    yield
    from tests.event_checks import journal_problems

    problems = journal_problems()
    assert not problems, "events do not match their schemas (the apps' events.py):\n" + "\n".join(problems)


def wait_for_live_nodes_to_settle(timeout: float = 10.0) -> None:
    """Let server processes finish what the test's closed sockets set off.

    A node writes after a client leaves (presence rows, PLAYER_DISCONNECT).
    On PostgreSQL that can deadlock with the TRUNCATE that ends a
    transactional test, so wait until no other session of the test database
    is busy for a quarter of a second (five looks in a row, 50 ms apart:
    the close frames may still be on their way to the nodes).
    """
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline, quiet = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and quiet < 5:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
            )
            quiet = quiet + 1 if cursor.fetchone()[0] == 0 else 0
        time.sleep(0.05)


@pytest.fixture
def make_user(db):
    """Create players with wallets: ``make_user("alice")``."""
    from pokerrt.accounts.actions import do_create_user

    def make(username: str = "player", password: str = "correct-horse-42", **extra):
        user = do_create_user(username, password, **extra)
        user.raw_password = password
        return user

    return make


@pytest.fixture
def user(make_user):
    return make_user("alice")


@pytest.fixture
def staff_user(make_user):
    return make_user("staffer", is_staff=True)


@pytest.fixture
def token(user):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=user).key


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def token_client(api_client, token):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api_client


@pytest.fixture
def manual_clock():
    """Time for timers, heartbeats and rate limits, moved only by the test (pokerrt.clock)."""
    from pokerrt import clock

    manual = clock.ManualClock()
    previous = clock.use(manual)
    yield manual
    clock.use(previous)


@pytest.fixture
async def open_socket(settings):
    """``await open_socket(user)``: a client on /ws/ (anonymous without a user), on the in-memory layer; all closed after."""
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.db import connections
    from rest_framework.authtoken.models import Token

    from pokerrt.realtime.routing import websocket_application
    from tests.realtime.helpers import Client

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    opened: list[WebsocketCommunicator] = []

    async def open_(user=None) -> Client:
        headers = []
        if user is not None:
            key = await database_sync_to_async(lambda: Token.objects.get_or_create(user=user)[0].key)()
            headers.append((b"authorization", f"Token {key}".encode()))
        communicator = WebsocketCommunicator(websocket_application(), "/ws/", headers=headers)
        connected, code = await communicator.connect()
        assert connected, code
        opened.append(communicator)
        return Client(communicator)

    yield open_
    for communicator in opened:
        try:
            await communicator.disconnect()
        except Exception:  # a test that closed it already
            pass
    await database_sync_to_async(connections.close_all)()
