"""Table rules PokerKit does not own: button, blinds, missed blinds, sit-out.

Pure functions of the table between two hands. The rules are the dead
button of the TDA and of standard online cash games:

- The big blind moves to the next seat clockwise that can play; nobody
  skips the big blind. Seats sitting out (or with no chips) are skipped.
- The small blind goes to the seat that was big blind last hand, and the
  button to the seat that was small blind. If that player has left, is
  sitting out or busted, the small blind is dead (nobody posts it) or the
  button stays on an empty seat (a dead button).
- Heads-up the button posts the small blind and the other player the big
  blind, and the big blind still alternates.
- A player who sits down or comes back between the button and the small
  blind waits until the button has passed.
- A sitting-out seat the big blind passed has missed both blinds; the seat
  that would have posted a dead small blind has missed the small blind.
  Back in, a player either posts what they owe at once (a live big blind
  and a dead small blind, or just a dead small blind) or waits and comes
  in as big blind, which clears the debt. Heads-up nothing is owed.

::

    >>> seats = [TableSeat(1, 100), TableSeat(4, 100), TableSeat(6, 100)]
    >>> plan = plan_hand(seats, None)
    >>> plan.positions, plan.dealt_in
    (Positions(button=1, small_blind=4, big_blind=6), (1, 4, 6))
    >>> later = plan_hand([TableSeat(1, 100), TableSeat(6, 100), TableSeat(8, 50)],
    ...                   plan.positions)      # seat 4 busted
    >>> later.positions, later.small_blind_seat   # dead button on seat 4
    (Positions(button=4, small_blind=6, big_blind=8), 6)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tables.engine.config import HandConfig, Post, SeatEntry


@dataclass(frozen=True)
class TableSeat:
    """An occupied seat between hands."""

    seat: int
    stack: int
    sitting_out: bool = False
    owes: Post = Post.NONE
    """Missed blinds still to make up (from earlier plans' ``owes``)."""
    waits_for_big_blind: bool = False
    """Owing, this player waits to come in as big blind instead of posting."""


@dataclass(frozen=True)
class Positions:
    """Where the button and the blinds are (seat numbers, maybe empty)."""

    button: int
    small_blind: int
    big_blind: int


@dataclass(frozen=True)
class BlindPlan:
    """Who plays the next hand and what each posts."""

    positions: Positions
    small_blind_seat: int | None
    """Who posts the small blind; ``None`` when it is dead."""
    big_blind_seat: int
    dealt_in: tuple[int, ...]
    """Seats dealt cards, ascending."""
    posts: dict[int, Post] = field(default_factory=dict)
    """Missed blinds made up in this hand, by seat."""
    owes: dict[int, Post] = field(default_factory=dict)
    """What every seat owes once this hand starts (store it on the seat)."""

    def hand_config(self, seats: Iterable[TableSeat], small_blind: int, big_blind: int,
                    ante: int = 0, bb_ante: bool = False) -> HandConfig:
        """The :class:`HandConfig` of this plan with the seats' stacks."""
        stacks = {s.seat: s.stack for s in seats}
        return HandConfig(
            seats=tuple(SeatEntry(seat, stacks[seat], self.posts.get(seat, Post.NONE))
                        for seat in self.dealt_in),
            button=self.positions.button,
            small_blind=small_blind,
            big_blind=big_blind,
            ante=ante,
            bb_ante=bb_ante,
            dead_small_blind=self.small_blind_seat is None,
        )


def after(seat: int, candidates: Iterable[int]) -> int:
    """The first of ``candidates`` clockwise after ``seat`` (wrapping)."""
    ordered = sorted(candidates)
    for candidate in ordered:
        if candidate > seat:
            return candidate
    return ordered[0]


def before(seat: int, candidates: Iterable[int]) -> int:
    """The first of ``candidates`` counter-clockwise before ``seat``."""
    ordered = sorted(candidates, reverse=True)
    for candidate in ordered:
        if candidate < seat:
            return candidate
    return ordered[0]


def _between(start: int, end: int, seats: Iterable[int]) -> list[int]:
    """Seats strictly clockwise-between ``start`` and ``end``."""
    return [s for s in seats if (s - start) % 100 < (end - start) % 100 and s != start]


def can_play(seat: TableSeat) -> bool:
    """Whether a seat can be dealt in at all (chips, not sitting out)."""
    return seat.stack > 0 and not seat.sitting_out


def next_positions(previous: Positions | None, playing: Sequence[int]) -> Positions:
    """Move the button and blinds by the dead-button rule.

    ``playing`` are the seats that can take the big blind (see
    :func:`can_play`); at least two. Without a previous hand the button
    goes to the lowest of them.
    """
    if len(playing) < 2:
        raise ValueError('two players are needed')
    if previous is None:
        button = min(playing)
        if len(playing) == 2:
            return Positions(button, button, after(button, playing))
        small = after(button, playing)
        return Positions(button, small, after(small, playing))
    big = after(previous.big_blind, playing)
    if len(playing) == 2:
        other = after(big, playing)
        return Positions(other, other, big)
    small, button = previous.big_blind, previous.small_blind
    if big in (small, button) or button == small:
        # the big blind wrapped past the old positions: seat them afresh
        small = before(big, playing)
        button = before(small, playing)
    return Positions(button, small, big)


def next_button(previous: Positions | None, playing: Sequence[int]) -> int:
    """The button's seat for the next hand (may be an empty seat)."""
    return next_positions(previous, playing).button


def plan_hand(seats: Sequence[TableSeat], previous: Positions | None) -> BlindPlan | None:
    """Positions, posters, who is dealt in and missed blinds for the next hand.

    ``None`` when fewer than two players can be dealt in.
    """
    by_seat = {s.seat: s for s in seats}
    playing = sorted(s.seat for s in seats if can_play(s))
    if len(playing) < 2:
        return None
    positions = next_positions(previous, playing)
    heads_up = len(playing) == 2
    owes = {s.seat: (Post.NONE if heads_up else s.owes) for s in seats}
    if previous is not None and not heads_up:
        out = [s.seat for s in seats if not can_play(s)]
        for seat in _between(previous.big_blind, positions.big_blind, out):
            owes[seat] = Post.BOTH
        if positions.small_blind in out and owes[positions.small_blind] is Post.NONE:
            owes[positions.small_blind] = Post.DEAD_SMALL_BLIND
    small_seat: int | None = positions.small_blind
    if small_seat not in playing:
        small_seat = None
    dealt_in = []
    posts: dict[int, Post] = {}
    # nobody comes in between the button and the small blind
    barred = set(_between(positions.button, positions.small_blind, playing))
    for seat in playing:
        owed = owes[seat]
        if seat in barred:
            continue
        if seat == positions.big_blind:
            owes[seat] = Post.NONE
        elif seat == small_seat:
            # The small blind posts only its blind: it pays off a dead small
            # blind owed; a big blind owed stays owed.
            owes[seat] = Post.BIG_BLIND if owed in (Post.BIG_BLIND, Post.BOTH) else Post.NONE
        elif owed is not Post.NONE:
            if by_seat[seat].waits_for_big_blind or seat == positions.button:
                continue
            posts[seat] = owed
            owes[seat] = Post.NONE
        dealt_in.append(seat)
    if len(dealt_in) < 2:
        return None
    if len(dealt_in) == 2 and not heads_up:
        # Those who wait made it heads-up: the big blind stays, the other
        # player takes the button and posts the small blind, nothing is owed.
        other = next(seat for seat in dealt_in if seat != positions.big_blind)
        positions = Positions(other, other, positions.big_blind)
        small_seat = other
        posts = {}
        for seat in dealt_in:
            owes[seat] = Post.NONE
    return BlindPlan(positions, small_seat, positions.big_blind, tuple(dealt_in), posts,
                     {seat: owed for seat, owed in owes.items() if owed is not Post.NONE})


def blind_posters(plan: BlindPlan) -> dict[str, int | None]:
    """``{'small_blind': seat|None, 'big_blind': seat}`` of a plan."""
    return {'small_blind': plan.small_blind_seat, 'big_blind': plan.big_blind_seat}
