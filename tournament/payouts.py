"""Who is paid what: payout tables by field size, and the split of a prize pool. Django-free.

Shares are basis points (1/100 of a percent) so large fields can pay small
places without fractions; every tier's shares add up to 10,000. A tier names
runs of places that share the same amount, as printed payout charts do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WHOLE = 10_000  # basis points in the whole pool


@dataclass(frozen=True)
class Tier:
    """The shares paid when the field has ``min_entrants`` to ``max_entrants`` players (None: no limit)."""

    min_entrants: int
    max_entrants: int | None
    # (places in the run, basis points each), from first place down.
    runs: tuple[tuple[int, int], ...]

    def shares(self) -> list[int]:
        return [points for count, points in self.runs for _ in range(count)]

    def fits(self, entrants: int) -> bool:
        return self.min_entrants <= entrants and (self.max_entrants is None or entrants <= self.max_entrants)


def _runs(*shares: int | tuple[int, int]) -> tuple[tuple[int, int], ...]:
    """Places written one by one (``2200``) or as a run (``(3, 250)``: three places of 250)."""
    return tuple(share if isinstance(share, tuple) else (1, share) for share in shares)


# Roughly the top 15% of a large field is paid; small fields pay two or three places.
STANDARD = (
    Tier(2, 6, _runs(6500, 3500)),
    Tier(7, 10, _runs(5000, 3000, 2000)),
    Tier(11, 20, _runs(4000, 2500, 1700, 1100, 700)),
    Tier(21, 30, _runs(3500, 2200, 1500, 1000, 700, 600, 500)),
    Tier(31, 50, _runs(3000, 2000, 1300, 900, 700, 600, 500, 400, (2, 300))),
    Tier(51, 100, _runs(2550, 1600, 1150, 900, 750, 600, 500, 400, 350, (3, 250), (3, 150))),
    Tier(101, 200, _runs(2300, 1400, 1000, 800, 650, 550, 450, 400, 350, (3, 250), (3, 200), (5, 150))),
    Tier(201, 500, _runs(1680, 1100, 800, 620, 520, 430, 360, 300, 260, (3, 200), (3, 160), (5, 130),
                         (10, 90), (10, 70), (10, 60))),
    Tier(501, 1000, _runs(1750, 900, 650, 500, 400, 330, 270, 230, 200, (3, 160), (3, 130), (5, 105),
                          (10, 75), (10, 55), (10, 45), (25, 35), (25, 30))),
    Tier(1001, None, _runs(1930, 800, 560, 430, 340, 280, 230, 190, 160, (3, 130), (3, 105), (5, 85),
                           (10, 62), (10, 48), (10, 40), (25, 30), (25, 26), (25, 22), (25, 20))),
)

WINNER_TAKES_ALL = (Tier(2, None, _runs(WHOLE)),)

# The tables a tournament may name (Tournament.payout_structure).
PAYOUT_TABLES: dict[str, tuple[Tier, ...]] = {"standard": STANDARD, "winner_takes_all": WINNER_TAKES_ALL}


def shares_for(entrants: int, table: str = "standard") -> list[int]:
    """The basis points of each paid place for a field of ``entrants`` (one entrant takes it all)."""
    if entrants <= 0:
        return []
    if entrants == 1:
        return [WHOLE]
    for tier in PAYOUT_TABLES[table]:
        if tier.fits(entrants):
            return tier.shares()
    raise ValueError(f"payout table {table!r} has no tier for {entrants} entrants")


def split(prize_pool: int, weights: Sequence[int]) -> list[int]:
    """``prize_pool`` shared by ``weights``, in whole chips summing exactly to the pool.

    Each place gets its share rounded down; the chips left over (fewer than
    the places) go one each to the earliest places, so an earlier place never
    gets less than a later one with an equal or smaller weight.
    """
    total = sum(weights)
    if prize_pool < 0 or total <= 0 or any(w < 0 for w in weights):
        raise ValueError("a pool is split by non-negative weights with a positive sum")
    amounts = [prize_pool * w // total for w in weights]
    for place in range(prize_pool - sum(amounts)):
        amounts[place] += 1
    return amounts


def payouts(prize_pool: int, entrants: int, table: str = "standard",
            percentages: Sequence[int] = ()) -> list[int]:
    """The prize of each paid place, first place first, summing exactly to ``prize_pool``.

    ``percentages``, when given, replaces the table (a tournament's fixed
    shares); a field smaller than its places pays only the first ``entrants``,
    the unpaid shares spread over them in proportion.
    """
    if entrants <= 0 or prize_pool == 0:
        return []
    weights = list(percentages)[:entrants] if percentages else shares_for(entrants, table)
    return split(prize_pool, weights)
