"""The node's SQLite writers queue in turn per database file (pokerrt/sqlite3/base.py)."""

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from pokerrt.retry import DATABASE_LOCKED, transient_kind
from pokerrt.sqlite3.base import writer_queue

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip(f"the writer lock is SQLite's backend; the database is {connection.vendor}")


def lock():
    return writer_queue(connection.settings_dict["NAME"])


def in_thread(fn):
    """Run ``fn`` on a thread of its own (its own connection), closing that connection after."""
    errors = []

    def run():
        try:
            fn()
        except BaseException as exc:  # handed back to the test
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_a_transaction_holds_the_lock_until_it_commits():
    assert not lock().locked()
    with transaction.atomic():
        assert lock().locked()
        with transaction.atomic():  # a savepoint takes nothing more
            assert lock().locked()
        assert lock().locked()
    assert not lock().locked()


def test_a_rolled_back_transaction_gives_the_lock_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        assert lock().locked()
        raise RuntimeError("the write failed")
    assert not lock().locked()


def test_a_connection_closed_in_its_transaction_gives_the_lock_back():
    with transaction.atomic():
        assert lock().locked()
        connection.close()
    assert not lock().locked()


def test_autocommit_statements_take_no_lock():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert not lock().locked()


def test_the_next_writer_of_the_node_goes_in_when_the_last_commits():
    order = []
    inside = threading.Event()
    release = threading.Event()

    def first():
        with transaction.atomic():
            inside.set()
            release.wait(10)
            order.append("first commits")

    def second():
        inside.wait(10)
        with transaction.atomic():
            order.append("second begins")
            assert lock().locked()

    one, errors_one = in_thread(first)
    two, errors_two = in_thread(second)
    inside.wait(10)
    release.set()
    one.join(10)
    two.join(10)
    assert errors_one == errors_two == []
    assert order == ["first commits", "second begins"]
    assert not lock().locked()


def test_a_writer_whose_turn_does_not_come_in_time_is_told_the_database_is_locked(monkeypatch):
    # As SQLite says after its busy timeout; the retry policy knows it.
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {**connection.settings_dict["OPTIONS"], "timeout": 0.05})
    assert lock().acquire(timeout=0)  # a writer of this process that holds its turn
    try:
        with pytest.raises(OperationalError) as raised, transaction.atomic():
            pass
        assert transient_kind(raised.value) == DATABASE_LOCKED
        assert connection._turn is None
    finally:
        lock().release()
    assert not lock().locked()
