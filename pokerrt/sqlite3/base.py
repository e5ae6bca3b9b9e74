"""Django's SQLite backend, with the writers of one process queued on a lock.

Every transaction begins ``IMMEDIATE`` (settings): it takes SQLite's write
lock at ``BEGIN``. A node writes from several threads: the one that runs the
players' commands, the timers' (a hand's deal, a clock), the periodic jobs'.
A thread that finds SQLite's lock taken is told "busy", and the sqlite3
module's busy handler sleeps before it asks again: 1, 2, 5, 10, 15, 20,
25 ms, then 25, 50, 50, 100 ms... A writer that waits for a 3 ms deal sleeps
8 ms, and the timers' thread, which asks while the command thread writes back
to back, waited 6.6 ms per transaction and up to 130 ms (200 busy tables).

So a thread takes this process's lock of the database file before
``BEGIN`` and gives it back at ``COMMIT``, ``ROLLBACK`` or close: the next
writer of the node starts the moment the last one ends, and no thread
starves. SQLite still decides: other processes (a second node, a Celery
worker, ``manage.py``) meet its lock as before, and a thread that cannot get
this one within the connection's ``timeout`` goes on to SQLite's own wait.
"""

from __future__ import annotations

import threading

from django.db.backends.sqlite3 import base

_locks: dict[str, threading.Lock] = {}
_locks_lock = threading.Lock()

# The sqlite3 module's own default, when the settings give no timeout.
DEFAULT_TIMEOUT = 5.0


def writer_lock(name: str) -> threading.Lock:
    """The lock the writers of this process take for the database file ``name``."""
    with _locks_lock:
        return _locks.setdefault(str(name), threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    # Whether this connection's open transaction holds its file's writer lock.
    _holds_writer = False

    def _start_transaction_under_autocommit(self) -> None:
        lock = writer_lock(self.settings_dict["NAME"])
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", DEFAULT_TIMEOUT))
        # Not got in time (a writer of this process holds a transaction open
        # that long): SQLite's busy wait and its error take over, as without the lock.
        self._holds_writer = lock.acquire(timeout=timeout)
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            # A failed COMMIT leaves the transaction open; the rollback that
            # follows ends it, and SQLite's lock still guards it meanwhile.
            self._release_writer()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release_writer()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._release_writer()

    def _release_writer(self) -> None:
        if self._holds_writer:
            self._holds_writer = False
            writer_lock(self.settings_dict["NAME"]).release()
