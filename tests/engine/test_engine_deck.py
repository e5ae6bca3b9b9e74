"""The fair deck: a uniform shuffle, the commitment, the proof and its verifier."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tables.engine import (
    CARDS,
    Deck,
    Hand,
    commitment,
    deal_positions,
    deck_proof,
    shuffled_deck,
    verify_deck_proof,
)
from tables.engine import deck as deck_module
from tables.engine.deck import Entropy, leaf

from .helpers import config, deck_for

ROOT = Path(__file__).resolve().parents[2]


def test_shuffle_is_a_permutation_with_fresh_salts() -> None:
    deck = shuffled_deck()
    assert sorted(deck.cards) == sorted(CARDS)
    assert len(set(deck.salts)) == 52 and all(len(s) == 16 for s in deck.salts)
    assert shuffled_deck().cards != deck.cards


def test_shuffle_spreads_the_first_card_evenly() -> None:
    counts = Counter(shuffled_deck().cards[0] for _ in range(5200))
    assert len(counts) == 52
    assert max(counts.values()) < 200  # expected 100 each; 10 sigma away


def test_shuffle_spreads_the_last_card_evenly_too() -> None:
    # The last position is drawn first, from the whole deck: a draw that kept
    # bits it should have thrown away would show here.
    counts = Counter(shuffled_deck().cards[-1] for _ in range(5200))
    assert len(counts) == 52
    assert max(counts.values()) < 200


def test_a_shuffle_reads_the_generator_in_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []
    real = deck_module.secrets.token_bytes

    def counted(n: int) -> bytes:
        reads.append(n)
        return real(n)

    monkeypatch.setattr(deck_module.secrets, "token_bytes", counted)
    deck = shuffled_deck()
    assert sorted(deck.cards) == sorted(CARDS)
    # One read for the shuffle's bits (about 330 of the 1,024 a read gives;
    # a second only if the draws threw away three times that), one for the salts.
    assert len(reads) <= 3
    assert reads[-1] == 52 * 16


def scripted(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    source = iter(data)
    monkeypatch.setattr(deck_module.secrets, "token_bytes", lambda n: bytes(next(source) for _ in range(n)))


def test_below_throws_away_draws_out_of_range(monkeypatch: pytest.MonkeyPatch) -> None:
    # Bits are taken lowest first: 0b111 = 7 is out of range for 5, then 0b010 = 2.
    scripted(monkeypatch, bytes([0b00_010_111]))
    assert Entropy(chunk=1).below(5) == 2


def test_getrandbits_spans_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    scripted(monkeypatch, bytes([0xAB, 0xCD, 0xEF]))
    entropy = Entropy(chunk=1)
    assert entropy.getrandbits(4) == 0xB
    assert entropy.getrandbits(8) == 0xDA  # the high half of 0xAB, then the low half of 0xCD
    assert entropy.getrandbits(12) == 0xEFC
    with pytest.raises(ValueError):
        entropy.below(0)


def test_commitment_is_sha256_of_the_leaf_digests() -> None:
    deck = deck_for(['AsKs', '2c2d'])
    import hashlib
    digests = b''.join(leaf(c, s) for c, s in zip(deck.cards, deck.salts, strict=True))
    assert commitment(deck) == hashlib.sha256(digests).hexdigest()
    assert deck.leaves()[0] == hashlib.sha256(deck.salts[0] + b'As').hexdigest()


def test_proof_verifies_and_tampering_is_caught() -> None:
    deck = shuffled_deck()
    published = commitment(deck)
    proof = deck_proof(deck, [3, 7, 8])
    assert [r['position'] for r in proof['reveals']] == [3, 7, 8]
    assert verify_deck_proof(published, proof)
    # a different card at a revealed position
    other = next(c for c in CARDS if c != deck.cards[3])
    forged = json.loads(json.dumps(proof))
    forged['reveals'][0]['card'] = other
    assert not verify_deck_proof(published, forged)
    # a changed leaf
    forged = json.loads(json.dumps(proof))
    forged['leaves'][10] = '00' * 32
    assert not verify_deck_proof(published, forged)
    # garbage
    assert not verify_deck_proof(published, {'leaves': 'x'})
    assert not verify_deck_proof(published, {})
    assert not verify_deck_proof('00', proof)


def test_deck_round_trips_through_json() -> None:
    deck = shuffled_deck()
    assert Deck.from_dict(json.loads(json.dumps(deck.to_dict()))) == deck


def test_bad_decks_are_refused() -> None:
    with pytest.raises(ValueError):
        Deck(CARDS[:51] + (CARDS[0],), tuple(b'\0' * 16 for _ in range(52)))
    with pytest.raises(ValueError):
        Deck(CARDS, tuple(b'\0' * 15 for _ in range(52)))


def test_dealing_follows_the_documented_positions() -> None:
    deck = shuffled_deck()
    hand, _ = Hand.start(config([100, 100, 100]), deck)
    positions = deal_positions(3)
    for i, seat in enumerate(hand.seats):
        assert hand.hole_cards(seat) == [deck.cards[p] for p in positions['hole'][i]]
    while not hand.is_over:
        seat = hand.to_act()
        assert seat is not None
        hand.act(seat, 'check' if 'check' in hand.legal_actions() else 'call')
    board = positions['flop'] + [positions['turn'], positions['river']]
    assert hand.board == [deck.cards[p] for p in board]
    own = hand.hole_card_reveals(1)
    assert [r['card'] for r in own] == hand.hole_cards(1)


def test_verify_command(tmp_path: Path) -> None:
    hand, _ = Hand.start(config([100, 100]), shuffled_deck())
    hand.act(2, 'fold')
    data = {'deck_commitment': hand.commitment(), 'deck_proof': hand.deck_proof()}
    good = tmp_path / 'hand.json'
    good.write_text(json.dumps(data))
    result = subprocess.run([sys.executable, '-m', 'tables.engine.verify', str(good)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    data['deck_commitment'] = '0' * 64
    good.write_text(json.dumps(data))
    result = subprocess.run([sys.executable, '-m', 'tables.engine.verify', str(good)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
