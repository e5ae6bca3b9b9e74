"""Every change to deadlines: schedule, cancel, fire, sweep.

``schedule`` and ``cancel`` run inside the caller's action, so a deadline
commits (or rolls back) with the state change that set it. Only after commit
is a wake-up asked for, carrying the key and the version it was scheduled
with: a Celery task with an ``eta`` when ``TIMERS_BACKEND == "celery"``, an
asyncio timer in the server otherwise (:mod:`pokerrt.timers.inprocess`),
through :mod:`pokerrt.timers.wakeups`.

``fire`` is the only thing a wake-up does, and it trusts nothing the wake-up
says beyond the key: under the row's lock it acts only if the version still
matches, the deadline is pending and its time has come. A duplicate, stale or
cancelled wake-up does nothing; an early one is re-armed. ``sweep`` fires
whatever is overdue, which covers wake-ups lost to a crash, a restart or a
broker outage.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from pokerrt import clock, metrics, retry
from pokerrt.hotpath import HotQuery, save_fields

from .models import Deadline
from .registry import Payload, handler_for
from .wakeups import request_wake_up

logger = logging.getLogger(__name__)


def schedule(key: str, handler: str, at: datetime, payload: Payload | None = None) -> int:
    """Set the deadline ``key`` to run ``handler(payload)`` at ``at``; return its version.

    Meant to run inside the caller's ``transaction.atomic()``. Rescheduling a
    key replaces its pending deadline: earlier wake-ups become stale.
    """
    if timezone.is_naive(at):
        raise ValueError(f"deadlines are aware UTC datetimes, not {at!r}")
    handler_for(handler)  # fail in the caller's action, not in a worker later
    fields = {"handler": handler, "due_at": at, "payload": payload or {}}
    with transaction.atomic(savepoint=False):
        version = _bump(key, fired_at=None, cancelled_at=None, **fields)
        if version is None:
            try:
                with transaction.atomic():
                    Deadline.objects.create(key=key, version=1, **fields)
                version = 1
            except IntegrityError:
                # Another transaction created the key first; we now wait on its lock.
                version = _bump(key, fired_at=None, cancelled_at=None, **fields)
                assert version is not None
        transaction.on_commit(lambda: request_wake_up(key, version, at), robust=True)
    return version


def cancel(key: str) -> bool:
    """Cancel the pending deadline ``key``; return whether one was pending.

    Every hand's end cancels its action clock: one UPDATE whose SQL is
    written once per database, not compiled by the ORM each time.
    """
    meta = Deadline._meta
    sql = _cancel_sql.get(connection.vendor)
    if sql is None:
        q = connection.ops.quote_name
        version, cancelled_at = q(meta.get_field("version").column), q(meta.get_field("cancelled_at").column)
        sql = _cancel_sql[connection.vendor] = (
            f"UPDATE {q(meta.db_table)} SET {cancelled_at} = %s, {version} = {version} + 1 "
            f"WHERE {q(meta.get_field('key').column)} = %s AND {q(meta.get_field('fired_at').column)} IS NULL "
            f"AND {cancelled_at} IS NULL"
        )
    now = meta.get_field("cancelled_at").get_db_prep_save(clock.now(), connection)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, [now, key])
        return cursor.rowcount > 0


def fire(key: str, version: int) -> bool:
    """Run the deadline ``key`` if ``version`` is still its version and it is due.

    The handler runs in the transaction that marks the deadline fired, so it
    fires exactly once: if the handler raises, both roll back and the sweep
    tries again. A deadlock's loser is tried again at once, whole
    (``pokerrt.retry``), rather than after a sweep. Returns whether it fired.
    """
    return retry.call(_fire_once, key, version, what=f"deadline {key} v{version}")


# Every hand's start and every lobby row's send is a deadline firing: its
# reads are compiled once per process (pokerrt.hotpath), not per firing.
_seen = HotQuery(lambda key: Deadline.objects.filter(key=key).only("version", "handler", "payload").order_by()[:1])
_locked = HotQuery(lambda key: Deadline.objects.select_for_update().filter(key=key).order_by()[:1])


def _fire_once(key: str, version: int) -> bool:
    seen = _seen.first(key)
    if seen is None or seen.version != version:
        return False  # stale: rescheduled or cancelled since this wake-up was asked for
    handler = handler_for(seen.handler)
    with transaction.atomic():
        if handler.lock is not None:
            handler.lock(seen.payload)
        deadline = _locked.first(key)
        if deadline is None or deadline.version != version or not deadline.is_pending:
            return False
        now = clock.now()
        if deadline.due_at > now:
            # Early: clock skew between nodes, timer granularity, or a capped eta.
            due_at = deadline.due_at
            transaction.on_commit(lambda: request_wake_up(key, version, due_at), robust=True)
            return False
        deadline.fired_at = now
        save_fields(deadline, "fired_at")
        handler.run(deadline.payload)
    lateness = (now - deadline.due_at).total_seconds()
    metrics.TIMER_LATENESS_SECONDS.observe(lateness)
    logger.debug("deadline %s v%s fired %.3fs after due", key, version, lateness)
    return True


def sweep() -> int:
    """Fire every overdue pending deadline; return how many fired."""
    overdue = list(Deadline.objects.overdue(clock.now()).values_list("key", "version"))
    fired = 0
    for key, version in overdue:
        try:
            fired += fire(key, version)
        except Exception:
            # One broken handler must not hold back every other deadline; it
            # stays pending and is retried on the next sweep.
            logger.exception("deadline %s v%s failed to fire", key, version)
    return fired


def _bump(key: str, **fields: object) -> int | None:
    """Update the row ``key`` with a new version under its lock; None if absent.

    One UPDATE ... RETURNING (PostgreSQL, SQLite >= 3.35), its SQL written
    once per set of fields: the action clock is rescheduled on every betting
    action, so this is on the hot path.
    """
    meta = Deadline._meta
    names = tuple(fields)
    sql = _bump_sql.get((names, connection.vendor))
    if sql is None:
        q = connection.ops.quote_name
        columns = ", ".join(f"{q(meta.get_field(name).column)} = %s" for name in names)
        version = q(meta.get_field("version").column)
        sql = _bump_sql[(names, connection.vendor)] = (
            f"UPDATE {q(meta.db_table)} SET {version} = {version} + 1, {columns} "
            f"WHERE {q(meta.get_field('key').column)} = %s RETURNING {version}"
        )
    params = [meta.get_field(name).get_db_prep_save(value, connection) for name, value in fields.items()]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, key])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


# (field names, database vendor) -> the UPDATE of _bump.
_bump_sql: dict[tuple[tuple[str, ...], str], str] = {}
# database vendor -> the UPDATE of cancel.
_cancel_sql: dict[str, str] = {}
