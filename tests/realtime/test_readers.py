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


# (what runs there, its setting, its threads' names, how many the node runs, where it is run)
POOLS = {
    "reads": ("SUBSCRIBE_READERS", "pokerrt-reader", readers.readers, readers.in_reader),
    "commands": ("COMMAND_THREADS", "pokerrt-command", readers.command_threads, readers.in_command_thread),
}


@pytest.mark.parametrize("work", list(POOLS))
@pytest.mark.django_db
async def test_pools_run_work_on_threads_of_their_own_on_postgresql_and_on_the_sync_thread_on_sqlite(
        settings, work):
    setting, prefix, count, run_in = POOLS[work]
    settings.POKERRT_REALTIME = {**settings.POKERRT_REALTIME, setting: 2}

    ran_on = await run_in(thread_name)()

    if connection.vendor == "sqlite":
        assert count() == 0
        assert not ran_on.startswith(prefix)
    else:
        assert count() == 2
        assert ran_on.startswith(prefix)


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
