"""Showdown strength from phevaluator, names from PokerKit.

:class:`PhevaluatorHighHand` is plugged into PokerKit's ``hand_types``: the
state compares hands with it, and it ranks 5 to 7 cards with phevaluator's
perfect-hash tables instead of PokerKit's 21 five-card lookups. Ranks are
cached per card set, since PokerKit evaluates the same hands many times
during one showdown.

:func:`describe` names a shown hand the way PokerStars does, from
PokerKit's own evaluator::

    >>> describe(['Jc', '4d'], ['Jh', '4s', '9c', '2d', 'Kh'])
    ('two pair, Jacks and Fours', ('Jh', 'Jc', '4s', '4d', 'Kh'))
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from itertools import combinations
from typing import Any, ClassVar

from phevaluator import _pheval  # type: ignore[import-untyped]
from pokerkit import Card, CardsLike, Hand, StandardHighHand
from pokerkit.lookups import Entry, Lookup, StandardLookup

_RANK_IDS = {rank: i for i, rank in enumerate('23456789TJQKA')}
_SUIT_IDS = {suit: i for i, suit in enumerate('cdhs')}
_EVALUATE = {
    5: _pheval.evaluate_5cards,
    6: _pheval.evaluate_6cards,
    7: _pheval.evaluate_7cards,
}


def _card_id(card: Card) -> int:
    return _RANK_IDS[card.rank.value] * 4 + _SUIT_IDS[card.suit.value]


CARD_OBJECTS: dict[str, Card] = {repr(c): c for c in Card.parse(
    ''.join(r + s for r in '23456789TJQKA' for s in 'cdhs'))}
"""One PokerKit ``Card`` per card; the engine deals only these objects."""
_IDS: dict[Card, int] = {card: _card_id(card) for card in CARD_OBJECTS.values()}
# PokerKit keeps the very objects the engine deals, so a dict keyed by
# identity finds their ids without the dataclass hash of Card (the hot path)
_IDS_BY_IDENTITY: dict[int, int] = {id(card): n for card, n in _IDS.items()}


@lru_cache(maxsize=65536)
def _strength(ids: tuple[int, ...]) -> int:
    """phevaluator's rank of card ids, negated: greater is stronger."""
    evaluate = _EVALUATE.get(len(ids))
    if evaluate is None:
        raise ValueError('phevaluator ranks 5 to 7 cards')
    return -int(evaluate(*ids))


def _clean(cards: CardsLike | Iterable[str]) -> tuple[Card, ...]:
    """Cards from PokerKit cards, a string like ``'AsKd'`` or ``['As', 'Kd']``."""
    if isinstance(cards, (str, Card)):
        return Card.clean(cards)
    return tuple(c if isinstance(c, Card) else CARD_OBJECTS[c] for c in cards)


class PhevaluatorHighHand(Hand):
    """A standard high hand (best five of 5-7 cards) ranked by phevaluator.

    Equality and order follow phevaluator's rank; ``cards`` and ``entry``
    (PokerKit's best five and label) are worked out only when asked for.
    """

    lookup: ClassVar[Lookup] = StandardLookup()
    low: ClassVar[bool] = False

    def __init__(self, cards: CardsLike, strength: int | None = None) -> None:
        self._all_cards = _clean(cards)
        if strength is None:
            ids = sorted(_IDS[card] for card in self._all_cards)
            if len(set(ids)) != len(ids):
                raise ValueError('a hand cannot hold the same card twice')
            strength = _strength(tuple(ids))
        self.strength = strength

    @classmethod
    def from_game(cls, hole_cards: CardsLike, board_cards: CardsLike = ()) -> Hand:
        """The hand of hole and board cards together (5 to 7 of them)."""
        cards = (*_clean(hole_cards), *_clean(board_cards))
        try:
            ids = tuple(sorted([_IDS_BY_IDENTITY[id(card)] for card in cards]))
        except KeyError:
            return cls(cards)
        return cls(cards, _strength(ids))

    def __eq__(self, other: Any) -> bool:
        if type(other) is not PhevaluatorHighHand:
            return NotImplemented
        return self.strength == other.strength

    def __lt__(self, other: Hand) -> bool:
        if type(other) is not PhevaluatorHighHand:
            return NotImplemented
        return self.strength < other.strength

    def __hash__(self) -> int:
        return hash(self.strength)

    @property
    def cards(self) -> tuple[Card, ...]:
        """The best five of the cards."""
        return best_five(self._all_cards)

    @property
    def entry(self) -> Entry:
        """PokerKit's lookup entry of the best five (label and index)."""
        return self.lookup.get_entry(self.cards)


_RANK_NAMES = {
    '2': ('Deuce', 'Deuces'), '3': ('Three', 'Threes'), '4': ('Four', 'Fours'),
    '5': ('Five', 'Fives'), '6': ('Six', 'Sixes'), '7': ('Seven', 'Sevens'),
    '8': ('Eight', 'Eights'), '9': ('Nine', 'Nines'), 'T': ('Ten', 'Tens'),
    'J': ('Jack', 'Jacks'), 'Q': ('Queen', 'Queens'), 'K': ('King', 'Kings'),
    'A': ('Ace', 'Aces'),
}


def best_five(cards: tuple[Card, ...]) -> tuple[Card, ...]:
    """The strongest five of 5-7 cards, found with phevaluator."""
    return max(combinations(cards, 5),
               key=lambda five: -int(_pheval.evaluate_5cards(*(_IDS[c] for c in five))))


def describe(hole_cards: CardsLike | Iterable[str],
             board_cards: CardsLike | Iterable[str] = ()) -> tuple[str, tuple[str, ...]]:
    """The PokerStars name of the best hand and its five cards.

    The five cards come grouped: the made part first (pairs, trips), then
    kickers high to low; straights run low to high.
    """
    hand = StandardHighHand(best_five((*_clean(hole_cards), *_clean(board_cards))))
    five = hand.cards
    label = hand.entry.label.value
    counts = Counter(card.rank.value for card in five)
    by_rank = sorted(five, key=lambda c: (counts[c.rank.value], _RANK_IDS[c.rank.value],
                                          _SUIT_IDS[c.suit.value]), reverse=True)
    groups = sorted(counts, key=lambda r: (counts[r], _RANK_IDS[r]), reverse=True)
    one = {r: _RANK_NAMES[r][0] for r in groups}
    many = {r: _RANK_NAMES[r][1] for r in groups}
    if label in ('Straight', 'Straight flush'):
        ranks = sorted(_RANK_IDS[r] for r in counts)
        wheel = ranks == [0, 1, 2, 3, 12]
        ordered = (sorted(five, key=lambda c: (_RANK_IDS[c.rank.value] + 1) % 13) if wheel
                   else sorted(five, key=lambda c: _RANK_IDS[c.rank.value]))
        low, high = ordered[0].rank.value, ordered[-1].rank.value
        if label == 'Straight flush' and not wheel and high == 'A':
            return 'a Royal Flush', _names(ordered)
        kind = 'a straight flush' if label == 'Straight flush' else 'a straight'
        return f'{kind}, {one[low]} to {one[high]}', _names(ordered)
    top = groups[0]
    name = {
        'High card': f'high card {one[top]}',
        'One pair': f'a pair of {many[top]}',
        'Two pair': f'two pair, {many[top]} and {many[groups[1]]}',
        'Three of a kind': f'three of a kind, {many[top]}',
        'Flush': f'a flush, {one[top]} high',
        'Full house': f'a full house, {many[top]} full of {many[groups[-1]]}',
        'Four of a kind': f'four of a kind, {many[top]}',
    }[label]
    if label == 'Flush':
        by_rank = sorted(five, key=lambda c: _RANK_IDS[c.rank.value], reverse=True)
    return name, _names(by_rank)


def _names(cards: list[Card] | tuple[Card, ...]) -> tuple[str, ...]:
    return tuple(repr(card) for card in cards)
