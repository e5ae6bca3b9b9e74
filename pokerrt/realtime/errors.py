"""The protocol errors, now at ``pokerrt.errors``: the one error base lives outside the transport.

Kept while ``tables`` still imports them from here; new code imports
``pokerrt.errors``.
"""

from pokerrt.errors import (
    CODES,
    BadFrame,
    Conflict,
    Forbidden,
    IllegalAction,
    InsufficientFunds,
    Internal,
    NotFound,
    NotYourTurn,
    PokerrtError,
    RateLimited,
    Unauthenticated,
    UnknownType,
    Validation,
)

# The base's name before it moved.
ProtocolError = PokerrtError

__all__ = [
    "CODES",
    "BadFrame",
    "Conflict",
    "Forbidden",
    "IllegalAction",
    "InsufficientFunds",
    "Internal",
    "NotFound",
    "NotYourTurn",
    "PokerrtError",
    "ProtocolError",
    "RateLimited",
    "Unauthenticated",
    "UnknownType",
    "Validation",
]
