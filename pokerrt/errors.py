"""The one error base: every error a client may be told about carries its protocol code.

Actions, permissions and snapshot functions raise these. The WebSocket
consumer turns them into ``ERROR`` frames (PROTOCOL.md section 5) and the
REST API's exception handler (``pokerrt/api_errors.py``) into
``{"code", "message", "details"}`` with ``http_status``, so a ``do_*``
function answers the same whichever door called it. Anything else that
escapes becomes ``INTERNAL``. Django-free: the engine-side and accounts
code raise these without pulling in the transport.

The HTTP statuses are the table of docs/api-errors.md.
"""

from __future__ import annotations

from typing import Any


class PokerrtError(Exception):
    """Base of every error a client may be told about."""

    code = "INTERNAL"
    default_message = "Internal error."
    # The REST API's answer; the socket has no statuses, only the code.
    http_status = 500

    def __init__(self, message: str | None = None, details: dict[str, Any] | None = None):
        self.message = message or self.default_message
        # Which fields were wrong, by name (VALIDATION), or None.
        self.details = details
        super().__init__(self.message)


class BadFrame(PokerrtError):
    code = "BAD_FRAME"
    default_message = "A frame must be a JSON object with a string 'type'."
    http_status = 400


class UnknownType(PokerrtError):
    code = "UNKNOWN_TYPE"
    default_message = "The server does not take this type from clients."
    http_status = 400


class Validation(PokerrtError):
    code = "VALIDATION"
    default_message = "Some fields are missing or of the wrong kind."
    http_status = 400


class Unauthenticated(PokerrtError):
    code = "UNAUTHENTICATED"
    default_message = "This command needs a logged-in user."
    http_status = 401


class Forbidden(PokerrtError):
    code = "FORBIDDEN"
    default_message = "You may not do this."
    http_status = 403


class NotFound(PokerrtError):
    code = "NOT_FOUND"
    default_message = "No such stream."
    http_status = 404


# CONFLICT, NOT_YOUR_TURN, ILLEGAL_ACTION and INSUFFICIENT_FUNDS are all 409:
# each refuses a well-formed request because of the state it met (the hand's,
# the balance's), and the same request may succeed once that state changes.
# A client re-reads the state on any 409 and tells them apart by ``code``.
# Not 422 (the fields were fine) nor 402 (reserved by HTTP, and these are play
# chips, not a payment).
class Conflict(PokerrtError):
    code = "CONFLICT"
    default_message = "The current state does not allow this."
    http_status = 409


class NotYourTurn(PokerrtError):
    code = "NOT_YOUR_TURN"
    default_message = "It is not your turn to act."
    http_status = 409


class IllegalAction(PokerrtError):
    code = "ILLEGAL_ACTION"
    default_message = "The rules do not allow this action."
    http_status = 409


class InsufficientFunds(PokerrtError):
    code = "INSUFFICIENT_FUNDS"
    default_message = "Your balance is too low."
    http_status = 409


class RateLimited(PokerrtError):
    code = "RATE_LIMITED"
    default_message = "Too many commands; slow down."
    http_status = 429


class Internal(PokerrtError):
    code = "INTERNAL"
    default_message = "Internal error."
    http_status = 500


ERRORS: tuple[type[PokerrtError], ...] = (
    BadFrame,
    UnknownType,
    Validation,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    NotYourTurn,
    IllegalAction,
    InsufficientFunds,
    RateLimited,
    Internal,
)
"""One class per code of PROTOCOL.md section 5, in its order."""

CODES = tuple(cls.code for cls in ERRORS)


def field_details(detail: Any) -> dict[str, Any]:
    """DRF's validation detail as VALIDATION's ``details``: by field, the rest under non_field_errors."""
    plain = _plain(detail)
    return plain if isinstance(plain, dict) else {"non_field_errors": plain}


def _plain(detail: Any) -> Any:
    """DRF's error detail as plain JSON (ErrorDetail is a str subclass with a code)."""
    if isinstance(detail, dict):
        return {str(key): _plain(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_plain(value) for value in detail]
    return str(detail)
