"""What each error code means for the people around it: what the client is told, what is logged, who is told.

Every door through which a command arrives answers its errors here: the
WebSocket consumer (``ERROR`` frames), the REST API's exception handler and
the RabbitMQ command consumer (dead letters and replies), so the three tell a
client the same thing for the same failure. One :class:`Handling` per
protocol code (PROTOCOL.md section 5) decides:

- the message the client gets (the error's own for a refusal; for INTERNAL
  a fixed text, never anything of the exception);
- the log level, and whether the line carries the traceback;
- whether staff are told: the line then goes to the logger ``pokerrt.staff``
  (the one to route to mail or a pager) and the answer counts as a server
  fault in ``pokerrt_error_answers_total``, which the ``PokerrtInternalErrors``
  alert watches;
- whether it is the client's fault or the server's, for the metrics.

Anything that is not a protocol error is INTERNAL; one whose cause is a
transient fault that outlasted its retries (``pokerrt.retry``) is INTERNAL
too, but answered as :data:`BUSY`: try again, and HTTP 503 with
``Retry-After``. docs/errors.md has the table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from . import errors, metrics, retry

logger = logging.getLogger(__name__)
# Lines about failures staff should look at; route it to mail_admins or a pager (docs/errors.md).
staff_logger = logging.getLogger("pokerrt.staff")

CLIENT = "client"
SERVER = "server"

# The doors, as the label ``door`` of pokerrt_error_answers_total.
SOCKET = "socket"
API = "api"
BUS = "bus"


@dataclass(frozen=True)
class Handling:
    """What one code's errors do besides being answered."""

    code: str
    # Whose fault: CLIENT (the request was refused) or SERVER.
    fault: str
    # The level of the log line about each one.
    log_level: int
    # Whether that line carries the traceback: only where it helps someone fix the server.
    traceback: bool = False
    # Whether the line goes to ``pokerrt.staff`` instead of this module's logger.
    notify_staff: bool = False
    # What the client is told instead of the error's own message; None: the error's own.
    message: str | None = None
    # The REST status instead of the error's own http_status; None: the error's own.
    http_status: int | None = None
    # Seconds for ``Retry-After`` on a REST answer; None: no header from here.
    retry_after: int | None = None


def _refusal(code: str) -> Handling:
    # A refusal is the protocol working: the client hears why; the log only
    # at DEBUG, since clients choose how many they cause (up to the rate
    # limit each), and pokerrt_error_answers_total counts them by code.
    return Handling(code, CLIENT, logging.DEBUG)


HANDLINGS: dict[str, Handling] = {
    handling.code: handling
    for handling in (
        _refusal("BAD_FRAME"),
        _refusal("UNKNOWN_TYPE"),
        _refusal("VALIDATION"),
        _refusal("UNAUTHENTICATED"),
        _refusal("FORBIDDEN"),
        _refusal("NOT_FOUND"),
        _refusal("CONFLICT"),
        _refusal("NOT_YOUR_TURN"),
        _refusal("ILLEGAL_ACTION"),
        _refusal("INSUFFICIENT_FUNDS"),
        _refusal("RATE_LIMITED"),
        # A bug or a broken dependency: the traceback, and staff told.
        Handling("INTERNAL", SERVER, logging.ERROR, traceback=True, notify_staff=True,
                 message=errors.Internal.default_message),
    )
}

# A transient fault that outlasted its retries (or met a REST view, which
# does not retry): nothing is wrong with the request, and the same one a
# moment later may well pass. A retry that gave up logged it at ERROR; the
# alerts on server faults and on retries giving up tell staff when it lasts,
# not each time.
BUSY = Handling("INTERNAL", SERVER, logging.WARNING, message="The server is busy; try again in a moment.",
                http_status=503, retry_after=1)


@dataclass(frozen=True)
class Answer:
    """What a client is told about one failure, whichever door it came through."""

    code: str
    message: str
    details: dict[str, Any] | None
    # For the REST API.
    http_status: int
    retry_after: int | None = None


def handling_of(error: BaseException) -> Handling:
    """The handling of ``error``: its code's, BUSY for a transient fault, INTERNAL's for the rest."""
    if isinstance(error, errors.PokerrtError) and not isinstance(error, errors.Internal):
        return HANDLINGS.get(error.code, HANDLINGS["INTERNAL"])
    if retry.transient_kind(error) is not None:
        return BUSY
    return HANDLINGS["INTERNAL"]


def answer(error: BaseException, door: str, what: str) -> Answer:
    """The answer to give for ``error``; logs it and counts it as its handling says.

    ``what`` names the failed request in the log line (``command 'TABLE_JOIN'``).
    """
    handling = handling_of(error)
    report(error, handling, door, what)
    if handling.message is not None:
        return Answer(handling.code, handling.message, None,
                      handling.http_status or errors.Internal.http_status, handling.retry_after)
    assert isinstance(error, errors.PokerrtError)
    return Answer(error.code, error.message, error.details, handling.http_status or error.http_status,
                  handling.retry_after)


def report(error: BaseException, handling: Handling, door: str, what: str) -> None:
    metrics.ERROR_ANSWERS.labels(door, handling.code, handling.fault).inc()
    log = staff_logger if handling.notify_staff else logger
    if log.isEnabledFor(handling.log_level):
        log.log(handling.log_level, "%s failed (%s, %s): %s", what, door, handling.code, error,
                exc_info=error if handling.traceback else None)
