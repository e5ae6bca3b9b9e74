"""Engine tests need no Django; their shared helpers are tests/engine/helpers.py.

Every hand a rules-of-play test finishes is also checked to read back through PokerKit's ``PokerStarsParser``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

ROUND_TRIP_MODULES = ('test_engine_rules_of_play',)


@pytest.fixture(autouse=True)
def pokerstars_round_trip(request: pytest.FixtureRequest,
                          monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Collect the hands a scripted test deals; check each finished one."""
    if request.module.__name__.rsplit('.', 1)[-1] not in ROUND_TRIP_MODULES:
        yield
        return
    from tables.engine import Hand

    from .helpers import check_pokerstars_round_trip, round_trips
    hands: list[Hand] = []
    original = Hand.__init__

    def recording_init(self: Hand, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        hands.append(self)

    monkeypatch.setattr(Hand, '__init__', recording_init)
    yield
    for hand in hands:
        if hand.is_over and round_trips(hand):
            check_pokerstars_round_trip(hand, hand.seats[0])
            check_pokerstars_round_trip(hand, None, tournament=True)
