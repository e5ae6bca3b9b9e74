"""Blind levels as plain values, and the rules a structure must follow. Django-free.

A structure is checked whole before it is stored (``check_levels``): the
clock of a running tournament trusts it, so a level it cannot play (no
levels at all, blinds going down, a small blind above the big one, a level
of no time) is refused up front with VALIDATION naming what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from pokerrt import errors

# Far above any real blind, far below what a database column overflows at.
MAX_CHIPS = 10**9
MAX_MINUTES = 600


@dataclass(frozen=True)
class Level:
    """One level: the blinds, the ante, how long it lasts and the break after it."""

    small_blind: int
    big_blind: int
    ante: int = 0
    # The ante is the whole table's, posted by the big blind alone.
    big_blind_ante: bool = False
    minutes: int = 10
    # Minutes of break once the level ends (0: none).
    break_minutes: int = 0

    def as_dict(self, number: int) -> dict[str, Any]:
        return {"level": number, "small_blind": self.small_blind, "big_blind": self.big_blind,
                "ante": self.ante, "big_blind_ante": self.big_blind_ante, "minutes": self.minutes,
                "break_minutes": self.break_minutes}


def level_problems(levels: Sequence[Level]) -> list[str]:
    """Every rule the levels break, each naming its level (1-based); empty when they are playable."""
    if not levels:
        return ["A structure needs at least one level."]
    found = []
    for number, level in enumerate(levels, start=1):
        for name in ("small_blind", "big_blind", "ante", "minutes", "break_minutes"):
            value = getattr(level, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                found.append(f"Level {number}: {name} must be a whole number of at least 0.")
        if found:
            continue
        if level.small_blind < 1:
            found.append(f"Level {number}: the small blind must be at least 1.")
        if level.small_blind > level.big_blind:
            found.append(f"Level {number}: the small blind is above the big blind.")
        if max(level.big_blind, level.ante) > MAX_CHIPS:
            found.append(f"Level {number}: blinds and antes are at most {MAX_CHIPS}.")
        if not 1 <= level.minutes <= MAX_MINUTES:
            found.append(f"Level {number}: a level lasts 1 to {MAX_MINUTES} minutes.")
        if level.break_minutes > MAX_MINUTES:
            found.append(f"Level {number}: a break lasts at most {MAX_MINUTES} minutes.")
    if found:
        return found
    for number, (before, after) in enumerate(pairwise(levels), start=2):
        if after.small_blind < before.small_blind or after.big_blind < before.big_blind:
            found.append(f"Level {number}: the blinds go down from level {number - 1}.")
    if levels[-1].break_minutes:
        found.append(f"Level {len(levels)}: the last level never ends, so no break can follow it.")
    return found


def check_levels(levels: Sequence[Level]) -> None:
    """Raise VALIDATION (``details.levels``) unless the levels make a playable structure."""
    found = level_problems(levels)
    if found:
        raise errors.Validation("The blind structure is not playable.", details={"levels": found})
