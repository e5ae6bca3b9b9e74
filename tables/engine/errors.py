"""Typed errors the engine raises when a betting action is refused.

They map one to one onto the protocol error codes ``NOT_YOUR_TURN`` and
``ILLEGAL_ACTION``; a refused action never changes the hand.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class of the errors of a refused betting action."""

    code = 'ILLEGAL_ACTION'


class NotYourTurn(EngineError):
    """A seat acted while another seat (or nobody) is to act."""

    code = 'NOT_YOUR_TURN'

    def __init__(self, seat: int, to_act: int | None) -> None:
        self.seat = seat
        self.to_act = to_act
        super().__init__(f'seat {seat} acted but seat {to_act} is to act')


class IllegalAction(EngineError):
    """An action the rules do not allow now; ``reason`` says why."""

    code = 'ILLEGAL_ACTION'

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
