"""Protocol errors (PROTOCOL.md section 5): one small class per code.

Handlers, permissions and snapshot functions raise these; the consumer turns
them into ``ERROR`` frames. Anything else that escapes becomes ``INTERNAL``.
"""

from __future__ import annotations

from typing import Any


class ProtocolError(Exception):
    """Base of every error a client may be told about."""

    code = "INTERNAL"
    default_message = "Internal error."

    def __init__(self, message: str | None = None, details: dict[str, Any] | None = None):
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class BadFrame(ProtocolError):
    code = "BAD_FRAME"
    default_message = "A frame must be a JSON object with a string 'type'."


class UnknownType(ProtocolError):
    code = "UNKNOWN_TYPE"
    default_message = "The server does not take this type from clients."


class Validation(ProtocolError):
    code = "VALIDATION"
    default_message = "Some fields are missing or of the wrong kind."


class Unauthenticated(ProtocolError):
    code = "UNAUTHENTICATED"
    default_message = "This command needs a logged-in user."


class Forbidden(ProtocolError):
    code = "FORBIDDEN"
    default_message = "You may not do this."


class NotFound(ProtocolError):
    code = "NOT_FOUND"
    default_message = "No such stream."


class Conflict(ProtocolError):
    code = "CONFLICT"
    default_message = "The current state does not allow this."


class NotYourTurn(ProtocolError):
    code = "NOT_YOUR_TURN"
    default_message = "It is not your turn to act."


class IllegalAction(ProtocolError):
    code = "ILLEGAL_ACTION"
    default_message = "The rules do not allow this action."


class InsufficientFunds(ProtocolError):
    code = "INSUFFICIENT_FUNDS"
    default_message = "Your balance is too low."


class RateLimited(ProtocolError):
    code = "RATE_LIMITED"
    default_message = "Too many commands; slow down."


class Internal(ProtocolError):
    code = "INTERNAL"
    default_message = "Internal error."


CODES = tuple(
    cls.code
    for cls in (
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
)
