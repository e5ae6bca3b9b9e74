"""The reconciler: the second line behind state kept right by construction.

Every POKERRT_SYNC_INTERVAL seconds (Celery beat in the services profile, the
in-process loop otherwise) one pass checks each active stream against its
target's rules (``pokerrt.realtime.validation``) and the stores against each
other: presence rows against live nodes, action clocks against waiting
hands, this process's cached hands against their logs, lobby rows against
the tables and tournaments. A problem that names a mend is mended through
that mend's action, which journals and emits what subscribers need to
converge; the stream is then checked again. What is still wrong, or has no
mend, is logged at ERROR and kept as a :class:`Discrepancy` for staff.
docs/sync.md tells the whole story.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from pokerrt import metrics

from . import presence
from .models import Connection, Discrepancy, Node
from .validation import Problem, active_streams, mend_for, validate, validated_targets

logger = logging.getLogger(__name__)

DROP_GHOST_PRESENCE = "realtime.drop_ghost_presence"
DROP_CLOSED_SOCKET = "realtime.drop_closed_socket"


class Outcome:
    """What a pass did about one problem."""

    MENDED = "mended"  # its mend ran and the rule holds again
    REPORTED = "reported"  # no mend, or the mend did not fix it: staff are told
    FOUND = "found"  # a dry run: nothing changed


@dataclass(frozen=True)
class Finding:
    problem: Problem
    outcome: str


def reconcile(*, mend: bool = True, duty: float = 1.0) -> list[Finding]:
    """One pass over every active stream; ``mend=False`` only looks (and reports nothing).

    ``duty`` below 1 paces the pass: after each stream it rests so that the
    checks take about that share of the pass's time.
    """
    findings: list[Finding] = []
    ghosts = ghost_presence()
    if ghosts:
        findings += _settle(ghosts, mend, recheck=ghost_presence)
    for target in validated_targets():
        for stream_id in active_streams(target):
            started = time.perf_counter()
            try:
                found = validate(target, stream_id)
            except Exception:
                # A stream deleted under the pass, or a rule that broke: the others still get checked.
                logger.exception("validating %s.%s failed", target, stream_id)
                continue
            if found:
                findings += _settle(found, mend, recheck=lambda t=target, s=stream_id: validate(t, s))
            if duty < 1.0:
                time.sleep((time.perf_counter() - started) * (1.0 - duty) / duty)
    return findings


# The periodic pass's share of its own time. A pass over a busy node costs
# about a second of CPU (a few queries per stream); at full speed it would
# hold the interpreter against the sockets and the tables' actions for that
# second, a stall every player would see. Spread out, it still ends well
# within POKERRT_SYNC_INTERVAL.
PERIODIC_DUTY = 0.1


def reconcile_pass() -> int:
    """The periodic job: mend what can be, report the rest; returns how many problems were found."""
    return len(reconcile(mend=True, duty=PERIODIC_DUTY))


def ghost_presence() -> list[Problem]:
    """Connection rows whose socket is gone, yet count their users as connected.

    Rows of nodes no longer alive, and, when this process is a node (the
    in-process loop of a server), its own rows of sockets it no longer holds.
    """
    cutoff = timezone.now() - dt.timedelta(seconds=settings.POKERRT_REALTIME["NODE_EXPIRY"])
    alive = Node.objects.filter(last_seen__gte=cutoff).values("name")
    ghosts = Connection.objects.exclude(node__in=alive).order_by("user_id", "pk").values_list("user_id", "node")
    found = [Problem("PLAYER", str(user_id), "presence_live", f"connected through node {node}, which is not alive",
                     DROP_GHOST_PRESENCE, node) for user_id, node in ghosts]
    here = presence.node_name()
    if Node.objects.filter(name=here).exists():
        rows = Connection.objects.filter(node=here).order_by("user_id", "pk").values_list("user_id", "channel_name")
        found += [Problem("PLAYER", str(user_id), "presence_live", f"socket {channel} is not open on node {here}",
                          DROP_CLOSED_SOCKET, channel)
                  for user_id, channel in rows if not presence.is_open(channel)]
    return found


def _settle(found: list[Problem], mend: bool, recheck: Callable[[], list[Problem]]) -> list[Finding]:
    """Run each distinct mend once, look again, and report what still does not hold."""
    if not mend:
        return [Finding(problem, Outcome.FOUND) for problem in found]
    tried = []
    for problem in found:
        fix = mend_for(problem.mend)
        if fix is None or (problem.mend, problem.subject) in tried:
            continue
        tried.append((problem.mend, problem.subject))
        try:
            fix(problem)
        except Exception:
            logger.exception("mending %s failed", problem)
    # By rule and subject, not message: a mend that fails may leave other numbers in it.
    remaining = {_which(problem) for problem in (recheck() if tried else found)}
    findings = []
    for problem in found:
        if _which(problem) in remaining:
            do_report(problem)
            outcome = Outcome.REPORTED
        else:
            logger.warning("mended %s", problem)
            outcome = Outcome.MENDED
        # Rules are named in code, a small fixed set: fit for a label, unlike the stream id.
        metrics.DISCREPANCIES.labels(problem.target, problem.rule, outcome).inc()
        findings.append(Finding(problem, outcome))
    return findings


def _which(problem: Problem) -> tuple[str, str, str, str]:
    return (problem.target, problem.stream_id, problem.rule, problem.subject)


def do_report(problem: Problem) -> Discrepancy:
    """Log a drift no mend fixed and keep it for staff: one row per finding, counted each pass."""
    logger.error("unmended drift: %s", problem)
    now = timezone.now()
    with transaction.atomic():
        row, created = Discrepancy.objects.select_for_update().get_or_create(
            target=problem.target, stream_id=problem.stream_id, rule=problem.rule, message=problem.message,
            defaults={"first_seen": now, "last_seen": now},
        )
        if not created:
            row.last_seen = now
            row.times_seen += 1
            row.save(update_fields=["last_seen", "times_seen"])
    return row


def open_discrepancies(now: dt.datetime | None = None) -> int:
    """Discrepancy rows a recent pass found again: drift that still holds, as far as the reconciler knows.

    A row is never closed (staff read it in the admin); one that no pass has
    seen for three intervals is taken as gone. 0 while the reconciler is off.
    """
    interval = settings.SYNC_INTERVAL
    if not interval:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=3 * interval)
    return Discrepancy.objects.filter(last_seen__gte=cutoff).count()


def drop_ghost_presence(problem: Problem) -> None:
    """The cleanup the node heartbeat runs: the ghosts' users get the disconnects they are owed."""
    presence.expire_dead_nodes()


def drop_closed_socket(problem: Problem) -> None:
    """Close the socket's row as its disconnect would have: hooks run, a last one tells the tables."""
    user = get_user_model().objects.filter(pk=int(problem.stream_id)).first()
    if user is not None and not presence.is_open(problem.subject):
        presence.connection_closed(user, problem.subject)
