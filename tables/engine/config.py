"""What a hand is dealt from: the seats, the button, the blinds.

A :class:`HandConfig` is frozen and JSON-able, so a hand can be rebuilt
from it (with its deck and action log) at any time::

    >>> config = HandConfig(
    ...     seats=(SeatEntry(1, 200), SeatEntry(3, 150), SeatEntry(7, 300)),
    ...     button=7, small_blind=1, big_blind=2)
    >>> config.order()          # seats by PokerKit player index
    (1, 3, 7)
    >>> config.small_blind_seat(), config.big_blind_seat()
    (1, 3)
    >>> HandConfig.from_dict(config.to_dict()) == config
    True

Seat order: PokerKit player indices run clockwise from the first seat
after the button to the button. With three or more players index 0 posts
the small blind and index 1 the big blind; heads-up the button posts the
small blind and acts first before the flop (PokerKit swaps the blinds for
two players). The button may be a seat that is not dealt in (the dead
button of :mod:`tables.engine.rules`); with ``dead_small_blind`` nobody
posts the small blind and the first seat after the button is the big
blind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum, unique
from typing import Any

MAX_SEATS = 10
"""Seats are numbered 1..MAX_SEATS clockwise."""


@unique
class Post(StrEnum):
    """What a player posts out of the blinds' positions (missed blinds)."""

    NONE = 'none'
    """Nothing beyond the blind of their position."""
    BIG_BLIND = 'big_blind'
    """A live big blind: counts as their bet, they get the option."""
    DEAD_SMALL_BLIND = 'dead_small_blind'
    """A dead small blind: straight into the pot, not part of their bet."""
    BOTH = 'both'
    """A live big blind and a dead small blind (missed both)."""


@dataclass(frozen=True)
class SeatEntry:
    """One seat dealt into the hand."""

    seat: int
    """The table seat number, 1..10."""
    stack: int
    """Chips in front of the player when the hand starts (positive)."""
    post: Post = Post.NONE
    """Missed blinds this player makes up in this hand."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, ``post`` left out when there is none."""
        data: dict[str, Any] = {'seat': self.seat, 'stack': self.stack}
        if self.post is not Post.NONE:
            data['post'] = self.post.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SeatEntry:
        """Inverse of :meth:`to_dict`."""
        return cls(int(data['seat']), int(data['stack']),
                   Post(data.get('post', Post.NONE.value)))


@dataclass(frozen=True)
class HandConfig:
    """The table's state at the start of a hand, as the engine needs it."""

    seats: tuple[SeatEntry, ...]
    """The seats dealt in, in any order (2..10 of them)."""
    button: int
    """The button's seat number; may be a seat not dealt in (dead button)."""
    small_blind: int
    big_blind: int
    ante: int = 0
    """Each player's ante, or with ``bb_ante`` the big blind's ante."""
    bb_ante: bool = False
    """The big blind posts one ante for the table (``ante`` chips)."""
    dead_small_blind: bool = False
    """Nobody posts the small blind this hand (dead-button rule)."""
    muck_losing_hands: bool = True
    """At showdown a hand that cannot win any pot is mucked, not shown."""
    _order: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        numbers = [entry.seat for entry in self.seats]
        if not 2 <= len(numbers) <= MAX_SEATS:
            raise ValueError('a hand needs 2 to 10 players')
        if len(set(numbers)) != len(numbers):
            raise ValueError('a seat is dealt in twice')
        if any(not 1 <= n <= MAX_SEATS for n in numbers + [self.button]):
            raise ValueError('seat numbers run from 1 to 10')
        if any(entry.stack <= 0 for entry in self.seats):
            raise ValueError('every stack dealt in must be positive')
        if not 0 < self.small_blind <= self.big_blind or self.ante < 0:
            raise ValueError('blinds must satisfy 0 < small <= big, ante >= 0')
        order = tuple(sorted(numbers, key=lambda n: (n <= self.button, n)))
        if len(order) == 2:
            if self.button not in order or self.dead_small_blind:
                raise ValueError('heads-up the button is live and posts the small blind')
            if any(entry.post is not Post.NONE for entry in self.seats):
                raise ValueError('heads-up nobody makes up missed blinds')
        object.__setattr__(self, '_order', order)

    def order(self) -> tuple[int, ...]:
        """Seat numbers by PokerKit player index (button last when live)."""
        return self._order

    def entry(self, seat: int) -> SeatEntry:
        """The :class:`SeatEntry` of ``seat``."""
        for entry in self.seats:
            if entry.seat == seat:
                return entry
        raise KeyError(seat)

    def small_blind_seat(self) -> int | None:
        """Who posts the small blind (``None`` when it is dead)."""
        if len(self._order) == 2:
            return self._order[1]
        return None if self.dead_small_blind else self._order[0]

    def big_blind_seat(self) -> int:
        """Who posts the big blind."""
        if len(self._order) == 2 or self.dead_small_blind:
            return self._order[0]
        return self._order[1]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (the inverse of :meth:`from_dict`)."""
        return {
            'seats': [entry.to_dict() for entry in self.seats],
            'button': self.button,
            'small_blind': self.small_blind,
            'big_blind': self.big_blind,
            'ante': self.ante,
            'bb_ante': self.bb_ante,
            'dead_small_blind': self.dead_small_blind,
            'muck_losing_hands': self.muck_losing_hands,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HandConfig:
        """Rebuild a configuration from :meth:`to_dict`'s output."""
        return cls(
            seats=tuple(SeatEntry.from_dict(d) for d in data['seats']),
            button=int(data['button']),
            small_blind=int(data['small_blind']),
            big_blind=int(data['big_blind']),
            ante=int(data.get('ante', 0)),
            bb_ante=bool(data.get('bb_ante', False)),
            dead_small_blind=bool(data.get('dead_small_blind', False)),
            muck_losing_hands=bool(data.get('muck_losing_hands', True)),
        )
