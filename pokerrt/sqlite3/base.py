"""Django's SQLite backend, with the writers of one process queued in turn.

Every transaction begins ``IMMEDIATE`` (settings): it takes SQLite's write
lock at ``BEGIN``. A node writes from several threads: the one that runs the
players' commands, the timers' (a hand's deal, a clock), the periodic jobs'.
A thread that finds SQLite's lock taken is told "busy", and the sqlite3
module's busy handler sleeps before it asks again: 1, 2, 5, 10, 15, 20,
25 ms, then 25, 50, 50, 100 ms... A writer that waits for a 3 ms deal sleeps
8 ms, and the timers' thread, which asks while the command thread writes back
to back, waited 6.6 ms per transaction and up to 130 ms (200 busy tables).

So a thread takes its turn on this process's queue for the database file
before ``BEGIN`` and hands it on at ``COMMIT``, ``ROLLBACK`` or close: the
next writer in line starts the moment the last one ends, and a thread that
writes back to back cannot jump the line. SQLite still decides: other
processes (a second node, a Celery worker, ``manage.py``) meet its lock as
before. Only transactions (``atomic``) queue; a lone ``UPDATE`` or ``save()``
outside one still meets SQLite's busy handler.

Its cursors also keep each statement text's conversion from Django's ``%s``
placeholders to sqlite3's ``?`` (``CursorWrapper``), instead of running
Django's regular expression over the same text at every execute.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import deque

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# The sqlite3 module's own default, when the settings give no timeout.
DEFAULT_TIMEOUT = 5.0


class WriterQueue:
    """A lock handed to its waiters in the order they came (``threading.Lock`` lets the releasing thread take it back)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Lock] = deque()

    def acquire(self, timeout: float) -> bool:
        """Wait for this thread's turn, at most ``timeout`` seconds; whether it came."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        if turn.acquire(timeout=timeout):
            return True  # handed over by release(): the queue stays held, now for us
        with self._mutex:
            try:
                self._waiting.remove(turn)
            except ValueError:
                return True  # handed over just as the wait ran out
            return False

    def release(self) -> None:
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._held = False

    def locked(self) -> bool:
        return self._held

    def waiting(self) -> int:
        return len(self._waiting)


_queues: dict[str, WriterQueue] = {}
_queues_lock = threading.Lock()


def writer_queue(name: str) -> WriterQueue:
    """The queue the writers of this process join for the database file ``name``."""
    key = str(name)
    queue = _queues.get(key)  # every transaction asks: no lock, no new queue, once the file has one
    if queue is not None:
        return queue
    with _queues_lock:
        return _queues.setdefault(key, WriterQueue())


def _forget_queues() -> None:
    # A forked child has only the thread that forked: a turn another thread
    # held would never be handed on.
    global _queues_lock
    _queues_lock = threading.Lock()
    _queues.clear()


os.register_at_fork(after_in_child=_forget_queues)


# Django's SQL (``%s`` placeholders) -> sqlite3's (``?``), for every statement
# of the process: the ORM and the hot paths send the same few hundred texts
# again and again, and Django runs a regular expression over each one each
# time (5% of the command thread's CPU at 50 busy tables).
_qmark: dict[str, str] = {}
_QMARK_TEXTS = 4096


class CursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is not None:
            return super().convert_query(query, param_names=param_names)
        converted = _qmark.get(query)
        if converted is None:
            converted = super().convert_query(query)
            if len(_qmark) >= _QMARK_TEXTS:
                _qmark.clear()  # texts built with values in them; the hot ones come back at once
            _qmark[query] = converted
        return converted


class DatabaseWrapper(base.DatabaseWrapper):
    # The queue whose turn this connection's open transaction holds, if any.
    _turn: WriterQueue | None = None

    def create_cursor(self, name: str | None = None) -> CursorWrapper:
        return self.connection.cursor(factory=CursorWrapper)

    def _start_transaction_under_autocommit(self) -> None:
        queue = writer_queue(self.settings_dict["NAME"])
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", DEFAULT_TIMEOUT))
        if not queue.acquire(timeout):
            # What SQLite itself says after its busy timeout (pokerrt.retry: database_locked).
            raise OperationalError("database is locked") from sqlite3.OperationalError(
                f"database is locked: no turn to write within {timeout:g} s")
        self._turn = queue
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._hand_on()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            # A failed COMMIT leaves the transaction open; the rollback that
            # follows ends it, and SQLite's lock still guards it meanwhile.
            self._hand_on()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._hand_on()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._hand_on()

    def _hand_on(self) -> None:
        turn, self._turn = self._turn, None
        if turn is not None:
            turn.release()
