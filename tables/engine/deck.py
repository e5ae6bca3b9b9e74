"""The fair deck of PROTOCOL.md section 8: shuffle, commit, prove, verify.

A deck is the 52 cards in dealing order, each with a 16-byte secret salt.
``leaf_i = sha256(salt_i || card_i)`` (the card as its two ASCII
characters) and the commitment is ``sha256(leaf_0 || ... || leaf_51)``
over the 32-byte digests, in hex. The proof after the hand carries all 52
leaves in hex and, for every card the table saw, its position, card and
salt::

    >>> deck = shuffled_deck()
    >>> published = commitment(deck)            # at HAND_START
    >>> proof = deck_proof(deck, [5, 6, 7])     # at HAND_END
    >>> verify_deck_proof(published, proof)
    True

Dealing order (so that positions mean something): with ``n`` players,
positions ``0..2n-1`` are the hole cards, one card at a time clockwise from
the first seat after the button (PokerKit player index 0), twice round;
then burn, three flop cards, burn, turn, burn, river. See
:func:`tables.engine.hand.deal_positions`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

RANKS = '23456789TJQKA'
SUITS = 'cdhs'
CARDS: tuple[str, ...] = tuple(r + s for r in RANKS for s in SUITS)
"""The 52 cards, two characters each: rank then suit."""
SALT_BYTES = 16


def leaf(card: str, salt: bytes) -> bytes:
    """``sha256(salt || card)``, the 32-byte digest."""
    return hashlib.sha256(salt + card.encode('ascii')).digest()


@dataclass(frozen=True)
class Deck:
    """52 cards in dealing order and their secret salts. Never public."""

    cards: tuple[str, ...]
    """The cards, position 0 dealt first."""
    salts: tuple[bytes, ...]
    """One 16-byte salt per position."""

    def __post_init__(self) -> None:
        if sorted(self.cards) != sorted(CARDS):
            raise ValueError('a deck holds each of the 52 cards once')
        if len(self.salts) != 52 or any(len(s) != SALT_BYTES for s in self.salts):
            raise ValueError('a deck needs 52 salts of 16 bytes')

    @cached_property
    def leaf_digests(self) -> tuple[bytes, ...]:
        """The 52 leaf digests in dealing order, hashed once per deck.

        A hand asks for them at its start (the commitment) and at its end
        (the proof on the TABLE stream and in the hand's result).
        """
        return tuple(leaf(c, s) for c, s in zip(self.cards, self.salts, strict=True))

    def leaves(self) -> list[str]:
        """The 52 leaf hashes in hex, in dealing order."""
        return [digest.hex() for digest in self.leaf_digests]

    def to_dict(self) -> dict[str, Any]:
        """JSON form: cards as one string, salts as hex (keep it secret)."""
        return {'cards': ''.join(self.cards), 'salts': [s.hex() for s in self.salts]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Deck:
        """Inverse of :meth:`to_dict`."""
        text = str(data['cards'])
        cards = tuple(text[i:i + 2] for i in range(0, len(text), 2))
        return cls(cards, tuple(bytes.fromhex(s) for s in data['salts']))

    @classmethod
    def from_cards(cls, cards: Iterable[str], salts: Iterable[bytes] | None = None) -> Deck:
        """A deck in a given order (tests, replays); fresh salts unless given."""
        ordered = tuple(cards)
        return cls(ordered, tuple(salts) if salts is not None else fresh_salts(len(ordered)))


def shuffled_deck() -> Deck:
    """A Fisher-Yates shuffle driven by :meth:`Entropy.below`, with fresh salts.

    ``below`` draws uniformly without modulo bias, so each of the 52!
    orders is equally likely. The randomness comes from the operating
    system (``secrets``), in two reads: the shuffle's bits and the salts.
    """
    entropy = Entropy()
    cards = list(CARDS)
    for i in range(len(cards) - 1, 0, -1):
        j = entropy.below(i + 1)
        cards[i], cards[j] = cards[j], cards[i]
    return Deck(tuple(cards), fresh_salts(len(cards)))


def fresh_salts(count: int) -> tuple[bytes, ...]:
    """``count`` secret salts of ``SALT_BYTES`` each, from one read of the system's generator."""
    pool = secrets.token_bytes(SALT_BYTES * count)
    return tuple(pool[k:k + SALT_BYTES] for k in range(0, len(pool), SALT_BYTES))


class Entropy:
    """Random integers from the operating system's generator, read ``chunk`` bytes at a time.

    ``secrets.randbelow`` reads the generator once per draw, and each read
    lets go of the interpreter's lock: a deal's 51 draws and 52 salts were
    103 reads, each a chance for another thread to take the lock and keep
    the dealing thread waiting, while the deal held the table (and, on
    SQLite, the database's one writer). The bits are the generator's all
    the same, only read in bulk.
    """

    def __init__(self, chunk: int = 128) -> None:
        self.chunk = chunk
        self.pool = 0  # unused bits, lowest first
        self.bits = 0  # how many

    def getrandbits(self, k: int) -> int:
        """``k`` fresh random bits, as a non-negative integer below ``2**k``."""
        while self.bits < k:
            self.pool |= int.from_bytes(secrets.token_bytes(self.chunk), 'little') << self.bits
            self.bits += 8 * self.chunk
        value = self.pool & ((1 << k) - 1)
        self.pool >>= k
        self.bits -= k
        return value

    def below(self, n: int) -> int:
        """Uniform in ``[0, n)``: draws of ``n.bit_length()`` bits, the ones ``>= n`` thrown away (as ``randbelow``)."""
        if n <= 0:
            raise ValueError('below(n) needs n > 0')
        k = n.bit_length()
        value = self.getrandbits(k)
        while value >= n:
            value = self.getrandbits(k)
        return value


def commitment(deck: Deck) -> str:
    """``HAND_START.deck_commitment``: sha256 over the 52 leaf digests, hex."""
    return hashlib.sha256(b''.join(deck.leaf_digests)).hexdigest()


def deck_proof(deck: Deck, revealed_positions: Iterable[int]) -> dict[str, Any]:
    """``HAND_END.deck_proof``: all leaves, and the salts of the cards shown."""
    return {'leaves': deck.leaves(), 'reveals': reveals(deck, revealed_positions)}


def reveals(deck: Deck, positions: Iterable[int]) -> list[dict[str, Any]]:
    """Position, card and salt of each of ``positions``, in order: what a proof reveals."""
    return [
        {'position': p, 'card': deck.cards[p], 'salt': deck.salts[p].hex()}
        for p in sorted(set(positions))
    ]


def verify_deck_proof(commitment_hex: str, proof: dict[str, Any]) -> bool:
    """Whether ``proof`` matches ``commitment_hex``.

    The leaves must hash to the commitment, and every reveal's
    ``sha256(salt || card)`` must equal the leaf at its position. Any
    malformed proof is simply not valid.
    """
    try:
        leaves = [bytes.fromhex(h) for h in proof['leaves']]
        if len(leaves) != 52 or any(len(x) != 32 for x in leaves):
            return False
        if hashlib.sha256(b''.join(leaves)).hexdigest() != commitment_hex.lower():
            return False
        seen: set[int] = set()
        cards: set[str] = set()
        for reveal in proof['reveals']:
            position = reveal['position']
            card = reveal['card']
            if (not isinstance(position, int) or not 0 <= position < 52
                    or position in seen or card not in CARDS or card in cards):
                return False
            seen.add(position)
            cards.add(card)
            if leaf(card, bytes.fromhex(reveal['salt'])) != leaves[position]:
                return False
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    return True
