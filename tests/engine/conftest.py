"""Engine tests need no Django: only the repository and this folder on the path.

Every hand a rules-of-play test finishes is also checked to read back through PokerKit's ``PokerStarsParser``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

for path in (Path(__file__).resolve().parents[2], Path(__file__).resolve().parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

ROUND_TRIP_MODULES = ('test_engine_rules_of_play',)


@pytest.fixture(autouse=True)
def pokerstars_round_trip(request: pytest.FixtureRequest,
                          monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Collect the hands a scripted test deals; check each finished one."""
    if request.module.__name__.rsplit('.', 1)[-1] not in ROUND_TRIP_MODULES:
        yield
        return
    from engine_helpers import check_pokerstars_round_trip, round_trips

    from tables.engine import Hand
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
