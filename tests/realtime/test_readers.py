"""Where SUBSCRIBE's reads and the commands run (pokerrt.realtime.readers)."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest
from django.db import connection

from pokerrt.realtime import readers


def thread_name() -> str:
    return threading.current_thread().name


@pytest.mark.django_db
async def test_reads_run_on_reader_threads_on_postgresql_and_on_the_sync_thread_on_sqlite(settings):
    settings.POKERRT_REALTIME = {**settings.POKERRT_REALTIME, "SUBSCRIBE_READERS": 2}

    ran_on = await readers.in_reader(thread_name)()

    if connection.vendor == "sqlite":
        assert readers.readers() == 0
        assert not ran_on.startswith("pokerrt-reader")
    else:
        assert readers.readers() == 2
        assert ran_on.startswith("pokerrt-reader")
    readers.close_connections()


@pytest.mark.django_db
async def test_commands_run_on_command_threads_on_postgresql_and_on_the_sync_thread_on_sqlite(settings):
    settings.POKERRT_REALTIME = {**settings.POKERRT_REALTIME, "COMMAND_THREADS": 2}

    ran_on = await readers.in_command_thread(thread_name)()

    if connection.vendor == "sqlite":
        assert readers.command_threads() == 0
        assert not ran_on.startswith("pokerrt-command")
    else:
        assert readers.command_threads() == 2
        assert ran_on.startswith("pokerrt-command")


@pytest.mark.django_db
async def test_two_commands_run_at_once_on_postgresql(settings):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs commands one at a time on the sync thread")
    settings.POKERRT_REALTIME = {**settings.POKERRT_REALTIME, "COMMAND_THREADS": 2}
    # Each waits for the other to start: one thread at a time would time out.
    both_started = threading.Barrier(2, timeout=10)

    def command() -> str:
        both_started.wait()
        return thread_name()

    ran_on = await asyncio.gather(readers.in_command_thread(command)(), readers.in_command_thread(command)())

    assert len(set(ran_on)) == 2


def test_no_reader_threads_when_none_are_configured(settings):
    settings.POKERRT_REALTIME = {**settings.POKERRT_REALTIME, "SUBSCRIBE_READERS": 0}

    assert readers.readers() == 0


async def test_asking_on_the_event_loop_builds_no_connection_handle():
    # Django keeps a connection handle per task on the loop: one asked for
    # there would be built for every socket and held for its life.
    from django.db import connections

    async def ask() -> object:
        readers.readers()
        return getattr(connections._connections, "default", None)

    # In a context of its own: the test's may hold a handle from earlier tests.
    assert await asyncio.create_task(ask(), context=contextvars.Context()) is None
