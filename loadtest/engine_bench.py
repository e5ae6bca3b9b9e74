"""Hands per second: the pokerrt engine beside stock PokerKit, and replay time.

Plays random 6-max No-Limit Hold'em hands to completion in two styles:

- showdown-heavy: every player checks or calls down to the river;
- fold-heavy: the first player in raises and everyone else folds.

"stock" is PokerKit as shipped: its own shuffle and dealing automations and
its default evaluator. "engine" is :class:`tables.engine.Hand`: a
``secrets`` shuffle with salts, its own dealing, phevaluator at showdown,
and the events the table layer broadcasts. Then it times rebuilding a
20-action hand from its configuration, deck and action log.

    .venv/bin/python loadtest/engine_bench.py --hands 2000

Not a test: run it by hand and compare the table it prints.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pokerkit import Automation, Mode, NoLimitTexasHoldem, State
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tables.engine import Action, Hand, HandConfig, SeatEntry, shuffled_deck  # noqa: E402

PLAYERS = 6
STACK = 200
STOCK_AUTOMATIONS = (
    Automation.ANTE_POSTING, Automation.BET_COLLECTION,
    Automation.BLIND_OR_STRADDLE_POSTING, Automation.CARD_BURNING,
    Automation.HOLE_DEALING, Automation.BOARD_DEALING,
    Automation.HOLE_CARDS_SHOWING_OR_MUCKING, Automation.HAND_KILLING,
    Automation.CHIPS_PUSHING, Automation.CHIPS_PULLING,
)
CONFIG = HandConfig(seats=tuple(SeatEntry(s, STACK) for s in range(1, PLAYERS + 1)),
                    button=PLAYERS, small_blind=1, big_blind=2)


def stock_hand(style: str) -> None:
    state: State = NoLimitTexasHoldem.create_state(
        STOCK_AUTOMATIONS, False, 0, (1, 2), 2, STACK, PLAYERS, mode=Mode.TOURNAMENT)
    opened = False
    while state.status:
        if style == 'fold' and opened:
            state.fold()
        elif style == 'fold':
            state.complete_bet_or_raise_to(6)
            opened = True
        else:
            state.check_or_call()


def engine_hand(style: str) -> None:
    hand, _ = Hand.start(CONFIG, shuffled_deck())
    opened = False
    while not hand.is_over:
        seat = hand.to_act()
        assert seat is not None
        if style == 'fold' and opened:
            hand.act(seat, 'fold')
        elif style == 'fold':
            hand.act(seat, 'raise', 6)
            opened = True
        else:
            hand.act(seat, 'check' if hand.to_call(seat) == 0 else 'call')


def twenty_action_hand() -> tuple[HandConfig, Hand]:
    """A scripted 6-max hand of exactly 20 betting actions, dealt at random."""
    script = [
        (3, 'call'), (4, 'raise', 6), (5, 'call'), (6, 'fold'), (1, 'call'), (2, 'call'),
        (3, 'call'),
        (1, 'check'), (2, 'check'), (3, 'bet', 10), (4, 'call'), (5, 'fold'), (1, 'fold'),
        (2, 'call'),
        (2, 'check'), (3, 'check'), (4, 'check'),
        (2, 'bet', 20), (3, 'fold'), (4, 'call'),
    ]
    hand, _ = Hand.start(CONFIG, shuffled_deck())
    for step in script:
        hand.act(*step)  # type: ignore[arg-type]
    assert len(hand.actions) == 20 and hand.is_over
    return CONFIG, hand


def rate(play: Callable[[str], None], style: str, count: int, label: str) -> float:
    started = time.perf_counter()
    for _ in tqdm(range(count), desc=label, leave=False, unit='hand'):
        play(style)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hands', type=int, default=1000, help='hands per cell')
    parser.add_argument('--replays', type=int, default=2000, help='replays to time')
    args = parser.parse_args()

    rows = []
    for style, name in (('showdown', 'showdown-heavy'), ('fold', 'fold-heavy')):
        stock = rate(stock_hand, style, args.hands, f'stock {name}')
        ours = rate(engine_hand, style, args.hands, f'engine {name}')
        rows.append((name, stock, ours))

    config, hand = twenty_action_hand()
    actions: list[Action] = list(hand.actions)
    blob = hand.to_bytes()
    started = time.perf_counter()
    for _ in tqdm(range(args.replays), desc='replay', leave=False, unit='hand'):
        Hand.replay(config, hand.deck, actions)
    replay_ms = (time.perf_counter() - started) / args.replays * 1000
    started = time.perf_counter()
    for _ in range(args.replays):
        Hand.from_bytes(blob)
    bytes_ms = (time.perf_counter() - started) / args.replays * 1000

    print(f'\n6-max, {args.hands} hands per cell, stacks {STACK}, blinds 1/2\n')
    print(f"{'play':<16}{'stock PokerKit':>18}{'pokerrt engine':>18}{'ratio':>8}")
    for name, stock, ours in rows:
        print(f'{name:<16}{stock:>13.0f} h/s{ours:>13.0f} h/s{ours / stock:>7.1f}x')
    print(f'\nreplay of a 20-action hand: {replay_ms:.2f} ms '
          f'(from_bytes {bytes_ms:.2f} ms, {len(blob)} bytes cached)')


if __name__ == '__main__':
    main()
