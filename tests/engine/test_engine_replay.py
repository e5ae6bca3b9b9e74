"""Replay: (configuration, deck, action log) rebuilds a hand exactly."""

from __future__ import annotations

import json
import random

from tables.engine import Action, Hand, HandConfig

from .helpers import config, play_random, random_deck


def test_replay_rebuilds_every_event_and_state() -> None:
    rng = random.Random(7)
    for _ in range(50):
        cfg = config([rng.choice([5, 50, 500]) for _ in range(rng.randint(2, 9))],
                     button=1, ante=rng.choice([0, 1]))
        hand, _ = Hand.start(cfg, random_deck(rng))
        steps = rng.randint(0, 12)
        while not hand.is_over and steps:
            seat = hand.to_act()
            assert seat is not None
            action = rng.choice(hand.legal_actions())
            amount = hand.min_raise_to() if action in ('bet', 'raise') else None
            hand.act(seat, action, amount)
            steps -= 1
        again = Hand.replay(hand.config, hand.deck, hand.actions)
        assert again.events == hand.events
        assert again.stacks == hand.stacks and again.to_act() == hand.to_act()
        assert again.to_act_info() == hand.to_act_info()
        cached = Hand.from_bytes(hand.to_bytes())
        assert cached.events == hand.events
        if not hand.is_over:
            play_random(hand, random.Random(1))
            play_random(cached, random.Random(1))
            assert cached.events == hand.events


def test_serialisation_is_compact_json() -> None:
    hand, _ = Hand.start(config([100, 100, 100]), random_deck(random.Random(3)))
    hand.act(3, 'raise', 6)
    hand.act(1, 'fold')
    data = json.loads(hand.to_bytes())
    assert data['actions'] == [[3, 'raise', 6], [1, 'fold']]
    assert HandConfig.from_dict(data['config']) == hand.config
    assert [Action.from_list(a) for a in data['actions']] == hand.actions
    assert len(hand.to_bytes()) < 2600
