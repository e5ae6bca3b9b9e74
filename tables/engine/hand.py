"""One hand of No-Limit Hold'em, driven seat by seat by the table layer.

A :class:`Hand` wraps a PokerKit ``State``. PokerKit posts the antes and
blinds, collects bets, pushes and pulls chips; the engine deals every card
from its own :class:`~tables.engine.deck.Deck` (PokerKit never chooses a
card), and runs the showdown by the rule below. Every public method either
refuses with a typed error and changes nothing, or applies the action and
returns the events it caused::

    >>> from tables.engine import Hand, HandConfig, SeatEntry, shuffled_deck
    >>> config = HandConfig(seats=(SeatEntry(2, 100), SeatEntry(5, 100),
    ...                            SeatEntry(9, 100)),
    ...                     button=9, small_blind=1, big_blind=2)
    >>> hand, events = Hand.start(config, shuffled_deck())
    >>> [e.data['action'] for e in events if e.type == 'PLAYER_ACTION']
    ['post_small_blind', 'post_big_blind']
    >>> hand.to_act(), hand.to_call(9), hand.min_raise_to(), hand.max_raise_to()
    (9, 2, 4, 100)
    >>> hand.legal_actions()
    ['fold', 'call', 'raise', 'all_in']
    >>> [e.type for e in hand.act(9, 'raise', 6)]
    ['PLAYER_ACTION']
    >>> hand.act(2, 'check')
    Traceback (most recent call last):
        ...
    tables.engine.errors.IllegalAction: seat 2 faces a bet of 5: check is not allowed

Betting actions are ``fold``, ``check``, ``call``, ``bet``, ``raise`` and
``all_in``; ``amount`` is what the player's bet on this street becomes
("raise to"). ``fold`` is refused when checking is free.

Events (:class:`HandEvent`, ``type`` and a JSON-able ``data``):

- ``PLAYER_ACTION`` ``{seat, action, amount, stack, pot}``: ``amount`` is
  the seat's bet on this street after the action (for ``post_ante`` the
  ante). Forced bets use ``post_ante``, ``post_small_blind`` (``dead: true``
  for a dead small blind made up) and ``post_big_blind``.
- ``DEAL_CARDS`` ``{seats}``: hole cards dealt (read them with
  :meth:`Hand.hole_cards`; they are never in an event).
- ``UNCALLED_BET`` ``{seat, amount, stack}``: an uncalled bet went back.
- ``FLOP``, ``TURN``, ``RIVER`` ``{cards, board, pots}``.
- ``SHOWDOWN`` ``{hands: [{seat, cards, rank, best}], mucked: [seats]}``.
- ``HAND_END`` ``{winners: [{seat, amount, pot}], board, stacks,
  deck_proof}``.

Showdown: the last aggressor of the final betting round shows first
(without one, the first active seat after the button); then each in turn
shows only if the hand can win or tie a pot it is in, else it is mucked
(``HandConfig.muck_losing_hands=False`` shows them all). When a player is
all in and the betting is over, every hand is shown. Mucked cards never
appear in events, the deck proof or the hand history.

Deck positions: hole cards one at a time clockwise from PokerKit index 0,
twice round, then burn, flop, burn, turn, burn, river.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum, unique
from typing import Any

from pokerkit import (
    AntePosting,
    Automation,
    BetCollection,
    BettingStructure,
    BlindOrStraddlePosting,
    BoardDealing,
    Card,
    CheckingOrCalling,
    ChipsPushing,
    CompletionBettingOrRaisingTo,
    Folding,
    HoleCardsShowingOrMucking,
    Mode,
    Opening,
    State,
)
from pokerkit import (
    Deck as PokerKitDeck,
)
from pokerkit import (
    Street as PokerKitStreet,
)

from tables.engine.config import HandConfig, Post
from tables.engine.deck import Deck, commitment, deck_proof, reveals
from tables.engine.errors import IllegalAction, NotYourTurn
from tables.engine.evaluator import CARD_OBJECTS, PhevaluatorHighHand, describe

ACTIONS = ('fold', 'check', 'call', 'bet', 'raise', 'all_in')
"""The betting actions a seat may take."""

AUTOMATIONS = (
    Automation.ANTE_POSTING,
    Automation.BET_COLLECTION,
    Automation.BLIND_OR_STRADDLE_POSTING,
    Automation.RUNOUT_COUNT_SELECTION,
    Automation.HAND_KILLING,
    Automation.CHIPS_PUSHING,
    Automation.CHIPS_PULLING,
)
"""What PokerKit does by itself: no card dealing, burning or showing."""

_CARDS = CARD_OBJECTS


@unique
class Street(StrEnum):
    """The betting round a hand is on (the last one reached once over)."""

    PREFLOP = 'preflop'
    """Hole cards dealt, no board."""
    FLOP = 'flop'
    """Three board cards."""
    TURN = 'turn'
    """Four board cards."""
    RIVER = 'river'
    """Five board cards."""


_STREET_BY_BOARD = {0: Street.PREFLOP, 3: Street.FLOP, 4: Street.TURN, 5: Street.RIVER}


@dataclass(frozen=True)
class Action:
    """One entry of the action log: what a seat asked for."""

    seat: int
    action: str
    amount: int | None = None
    """The "raise to" amount of a bet or raise; ``None`` otherwise."""

    def to_list(self) -> list[Any]:
        """Compact JSON form ``[seat, action]`` or ``[seat, action, amount]``."""
        if self.amount is None:
            return [self.seat, self.action]
        return [self.seat, self.action, self.amount]

    @classmethod
    def from_list(cls, data: Sequence[Any]) -> Action:
        """Inverse of :meth:`to_list`."""
        return cls(int(data[0]), str(data[1]), None if len(data) < 3 else int(data[2]))


@dataclass(frozen=True)
class HandEvent:
    """Something that happened in the hand, in PROTOCOL.md's terms."""

    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Pot:
    """A main or side pot: its chips and the seats that can win it."""

    amount: int
    seats: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form ``{amount, seats}``."""
        return {'amount': self.amount, 'seats': list(self.seats)}


@dataclass(frozen=True)
class ToAct:
    """Who acts and the bounds of their action (``to_act`` of PROTOCOL.md)."""

    seat: int
    to_call: int
    """Chips to call, at most the seat's stack."""
    min_raise_to: int | None
    """Smallest bet/raise to, ``None`` when raising is not allowed."""
    max_raise_to: int | None
    """Largest bet/raise to (all in), ``None`` when raising is not allowed."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {'seat': self.seat, 'to_call': self.to_call,
                'min_raise_to': self.min_raise_to, 'max_raise_to': self.max_raise_to}


@dataclass(frozen=True)
class Winning:
    """Chips a seat won from one pot (0 is the main pot)."""

    seat: int
    amount: int
    pot: int


def deal_positions(player_count: int) -> dict[str, Any]:
    """Where each card comes from in the deck, for ``player_count`` players.

    >>> deal_positions(2)
    {'hole': [[0, 2], [1, 3]], 'burns': [4, 8, 10], 'flop': [5, 6, 7], 'turn': 9, 'river': 11}
    """
    n = player_count
    return {
        'hole': [[p, p + n] for p in range(n)],
        'burns': [2 * n, 2 * n + 4, 2 * n + 6],
        'flop': [2 * n + 1, 2 * n + 2, 2 * n + 3],
        'turn': 2 * n + 5,
        'river': 2 * n + 7,
    }


def _streets(big_blind: int) -> tuple[PokerKitStreet, ...]:
    return (
        PokerKitStreet(False, (False, False), 0, False, Opening.POSITION, big_blind, None),
        PokerKitStreet(True, (), 3, False, Opening.POSITION, big_blind, None),
        PokerKitStreet(True, (), 1, False, Opening.POSITION, big_blind, None),
        PokerKitStreet(True, (), 1, False, Opening.POSITION, big_blind, None),
    )


def forced_bets(config: HandConfig) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """PokerKit's antes and blinds by player index for ``config``.

    A dead small blind made up is an ante of that player (dead money); a
    live big blind posted out of position is a negative blind (PokerKit's
    "post", which does not move the opener). With a big-blind ante the big
    blind's blind comes first: the ante is what their stack has left.
    """
    order = config.order()
    sb_seat, bb_seat = config.small_blind_seat(), config.big_blind_seat()
    antes = []
    blinds = []
    for seat in order:
        entry = config.entry(seat)
        ante = 0 if config.bb_ante else config.ante
        if config.bb_ante and seat == bb_seat:
            ante = min(config.ante, max(0, entry.stack - config.big_blind))
        if entry.post in (Post.DEAD_SMALL_BLIND, Post.BOTH):
            ante += config.small_blind
        antes.append(ante)
        if seat == sb_seat:
            blinds.append(config.small_blind)
        elif seat == bb_seat:
            blinds.append(config.big_blind)
        elif entry.post in (Post.BIG_BLIND, Post.BOTH):
            blinds.append(-config.big_blind)
        else:
            blinds.append(0)
    if len(order) == 2:
        # PokerKit gives blinds[1] to index 0 heads-up; index 0 is our big blind
        blinds = [config.small_blind, config.big_blind]
    return tuple(antes), tuple(blinds)


class Hand:
    """A hand in progress or finished; see the module docstring."""

    def __init__(self, config: HandConfig, deck: Deck) -> None:
        """Post the forced bets and deal; prefer :meth:`start`."""
        for entry in config.seats:
            bb_or_sb = (config.small_blind_seat(), config.big_blind_seat())
            if entry.post is not Post.NONE and entry.seat in bb_or_sb:
                raise ValueError(f'seat {entry.seat} is in a blind and cannot post more')
        self.config = config
        """The configuration the hand was dealt from."""
        self.deck = deck
        """The deck (secret until the hand ends)."""
        self.seats: tuple[int, ...] = config.order()
        """Seat numbers by PokerKit player index."""
        self.actions: list[Action] = []
        """The action log: replaying it rebuilds the hand."""
        self.events: list[HandEvent] = []
        """Every event so far."""
        self._index = {seat: i for i, seat in enumerate(self.seats)}
        self._hole_positions: list[list[int]] = [[] for _ in self.seats]
        self._board_positions: list[int] = []
        self._shown: dict[int, tuple[str, ...]] = {}
        self._mucked: list[int] = []
        self._winnings: list[Winning] = []
        # Chips of each of the engine's pots not yet paid, and who can win
        # them; taken at the first push (see _pay).
        self._unpaid: list[tuple[list[int], tuple[int, ...]]] | None = None
        self._uncalled: dict[int, int] = {}
        self._uncalled_board: int | None = None
        self._pending_showdown: list[HoleCardsShowingOrMucking] = []
        self._dealt_announced = False
        self._ante_parts = self._base_antes()
        antes, blinds = forced_bets(config)
        # the engine's own ledger by player index; PokerKit's moves on to the
        # next street (or pays out) inside the call that ends a betting round
        self._street_bets = [0] * len(self.seats)
        self._committed = [0] * len(self.seats)  # uncalled bets taken back out
        self._antes = [0] * len(self.seats)  # dead money: antes, dead blinds
        self._in_hand = [True] * len(self.seats)  # False once folded
        self._state = State(
            AUTOMATIONS,
            PokerKitDeck.STANDARD,
            (PhevaluatorHighHand,),
            _streets(config.big_blind),
            BettingStructure.NO_LIMIT,
            False,
            antes,
            blinds,
            0,
            tuple(config.entry(seat).stack for seat in self.seats),
            len(self.seats),
            mode=Mode.TOURNAMENT,
        )
        # PokerKit's deck becomes ours, in dealing order: it never picks a card
        self._state.deck_cards = deque(_CARDS[card] for card in deck.cards)
        self._next_position = 2 * len(self.seats)
        self._op_count = 0
        self.events.extend(self._small_blind_first(self._advance()))

    def _small_blind_first(self, events: list[HandEvent]) -> list[HandEvent]:
        """Heads-up PokerKit posts the big blind first; tell it the usual way."""
        kinds = [e.data.get('action') for e in events]
        if len(self.seats) != 2 or not {'post_small_blind', 'post_big_blind'} <= set(kinds):
            return events
        big, small = kinds.index('post_big_blind'), kinds.index('post_small_blind')
        bb, sb = events[big].data, events[small].data
        pot_before = bb['pot'] - bb['amount']
        events[big] = HandEvent('PLAYER_ACTION', {**sb, 'pot': pot_before + sb['amount']})
        events[small] = HandEvent('PLAYER_ACTION', {**bb, 'pot': pot_before + sb['amount']
                                                    + bb['amount']})
        return events

    @classmethod
    def start(cls, config: HandConfig, deck: Deck) -> tuple[Hand, list[HandEvent]]:
        """Deal a new hand: the hand and its first events (posts, deal)."""
        hand = cls(config, deck)
        return hand, list(hand.events)

    @classmethod
    def replay(cls, config: HandConfig, deck: Deck, actions: Iterable[Action]) -> Hand:
        """Rebuild a hand from its configuration, deck and action log."""
        hand = cls(config, deck)
        for action in actions:
            hand.act(action.seat, action.action, action.amount)
        return hand

    def to_dict(self) -> dict[str, Any]:
        """Compact JSON form for caching: configuration, deck, action log."""
        return {'config': self.config.to_dict(), 'deck': self.deck.to_dict(),
                'actions': [a.to_list() for a in self.actions]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hand:
        """Inverse of :meth:`to_dict` (a deterministic replay)."""
        return cls.replay(HandConfig.from_dict(data['config']), Deck.from_dict(data['deck']),
                          [Action.from_list(a) for a in data['actions']])

    def to_bytes(self) -> bytes:
        """:meth:`to_dict` as compact UTF-8 JSON."""
        return json.dumps(self.to_dict(), separators=(',', ':')).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Hand:
        """Inverse of :meth:`to_bytes`."""
        return cls.from_dict(json.loads(data))

    # queries

    @property
    def state(self) -> State:
        """The PokerKit state (read it, do not change it)."""
        return self._state

    @property
    def is_over(self) -> bool:
        """Whether the hand has ended and the chips are pushed."""
        return not self._state.status

    @property
    def street(self) -> Street:
        """The current betting round (the last one reached once over)."""
        return _STREET_BY_BOARD[len(self._state.board_cards)]

    @property
    def board(self) -> list[str]:
        """The board cards dealt so far."""
        return [repr(cards[0]) for cards in self._state.board_cards]

    @property
    def stacks(self) -> dict[int, int]:
        """Each seat's chips behind (not counting its bet on this street)."""
        return {seat: self._state.stacks[i] for seat, i in self._index.items()}

    @property
    def bets(self) -> dict[int, int]:
        """Each seat's bet on this street."""
        return {seat: self._state.bets[i] for seat, i in self._index.items()}

    @property
    def pots(self) -> list[Pot]:
        """Main pot then side pots of the chips collected from past streets.

        Bets on the current street are not in them yet. Every pot is won
        by the best hand among its seats; once the hand is over it is
        ``[]``.
        """
        if self.is_over:
            return []
        return self._ledger_pots()

    def _ledger_pots(self) -> list[Pot]:
        """PokerKit's pot rule on the engine's own ledger.

        Antes (and dead blinds) are dead money in the first pot; levels come
        from what each player put in beyond them on past streets; a pot is
        for the players in the hand who have matched its level, counting
        their bets on this street; pots with the same players merge.
        """
        n = len(self.seats)
        contributions = [self._committed[i] - self._street_bets[i] - self._antes[i]
                         for i in range(n)]
        pending = [self._committed[i] - self._antes[i] for i in range(n)]
        amount = sum(self._antes)
        previous = 0
        pots: list[Pot] = []
        for level in sorted(set(contributions)):
            amount += sum(level - previous for c in contributions if c >= level)
            seats = tuple(self.seats[i] for i in range(n)
                          if pending[i] >= level and self._in_hand[i])
            while pots and pots[-1].seats == seats:
                amount += pots.pop().amount
            if amount:
                pots.append(Pot(amount, seats))
            amount = 0
            previous = level
        return pots

    @property
    def pot_total(self) -> int:
        """All chips in the middle, bets on this street included."""
        return 0 if self.is_over else sum(self._committed)

    @property
    def active_seats(self) -> list[int]:
        """Seats still in the hand (not folded, not mucked)."""
        return [seat for seat, i in self._index.items()
                if self._in_hand[i] and seat not in self._mucked]

    def to_act(self) -> int | None:
        """The seat to act, or ``None`` (dealing, showdown or over)."""
        index = self._state.actor_index
        return None if index is None else self.seats[index]

    def to_call(self, seat: int) -> int:
        """Chips ``seat`` needs to call (capped at its stack)."""
        i = self._index[seat]
        state = self._state
        return min(max(state.bets) - state.bets[i], state.stacks[i])

    def min_raise_to(self) -> int | None:
        """Smallest legal bet/raise to for the seat to act (``None``: none)."""
        return self._state.min_completion_betting_or_raising_to_amount

    def max_raise_to(self) -> int | None:
        """Largest legal bet/raise to for the seat to act (``None``: none)."""
        return self._state.max_completion_betting_or_raising_to_amount

    def to_act_info(self) -> ToAct | None:
        """``to_act`` of PROTOCOL.md without user and deadline."""
        seat = self.to_act()
        if seat is None:
            return None
        return ToAct(seat, self.to_call(seat), self.min_raise_to(), self.max_raise_to())

    def legal_actions(self) -> list[str]:
        """The actions the seat to act may take, in :data:`ACTIONS` order."""
        seat = self.to_act()
        if seat is None:
            return []
        return [a for a in ACTIONS if self._reason(seat, a, None, amount_free=True) is None]

    def hole_cards(self, seat: int) -> list[str]:
        """``seat``'s hole cards (private: its PLAYER stream only)."""
        cards = self._hole_positions[self._index[seat]]
        return [self.deck.cards[p] for p in cards]

    def shown_cards(self) -> dict[int, tuple[str, ...]]:
        """The hands shown at showdown, by seat."""
        return dict(self._shown)

    @property
    def mucked(self) -> list[int]:
        """Seats whose hands were mucked at showdown."""
        return list(self._mucked)

    def winnings(self) -> list[Winning]:
        """What each seat won from each pot (once over)."""
        return list(self._winnings)

    def uncalled(self) -> dict[int, int]:
        """Uncalled bets returned, by seat."""
        return dict(self._uncalled)

    def contributions(self) -> dict[int, int]:
        """Chips each seat has put in the pot (uncalled bets taken back)."""
        return {seat: self._committed[i] for seat, i in self._index.items()}

    def base_ante(self, seat: int) -> int:
        """The ante ``seat`` owes by the configuration (before stack limits)."""
        return self._ante_parts[self._index[seat]]

    @property
    def uncalled_street(self) -> int | None:
        """Board length when an uncalled bet was returned, if one was."""
        return self._uncalled_board

    def payoffs(self) -> dict[int, int]:
        """Net chips won or lost by each seat (sums to zero)."""
        return {seat: self._state.payoffs[i] for seat, i in self._index.items()}

    def commitment(self) -> str:
        """``deck_commitment`` for HAND_START."""
        return commitment(self.deck)

    def revealed_positions(self) -> list[int]:
        """Deck positions the table saw: the board and the hands shown."""
        shown = [p for seat in self._shown for p in self._hole_positions[self._index[seat]]]
        return sorted(self._board_positions + shown)

    def deck_proof(self) -> dict[str, Any]:
        """``deck_proof`` for HAND_END: leaves and the revealed cards."""
        return deck_proof(self.deck, self.revealed_positions())

    def hole_card_reveals(self, seat: int) -> list[dict[str, Any]]:
        """A seat's own hole cards with salts, for its PLAYER stream."""
        return reveals(self.deck, self._hole_positions[self._index[seat]])

    # actions

    def verify_action(self, seat: int, action: str, amount: int | None = None) -> None:
        """Raise :class:`NotYourTurn` or :class:`IllegalAction`, else nothing."""
        if self.is_over:
            raise IllegalAction('the hand is over')
        to_act = self.to_act()
        if seat not in self._index:
            raise IllegalAction(f'seat {seat} is not in the hand')
        if seat != to_act:
            raise NotYourTurn(seat, to_act)
        reason = self._reason(seat, action, amount, amount_free=False)
        if reason is not None:
            raise IllegalAction(reason)

    def can_act(self, seat: int, action: str, amount: int | None = None) -> bool:
        """Whether :meth:`act` would accept this action."""
        try:
            self.verify_action(seat, action, amount)
        except (NotYourTurn, IllegalAction):
            return False
        return True

    def act(self, seat: int, action: str, amount: int | None = None) -> list[HandEvent]:
        """Apply a betting action; return the events it caused.

        ``amount`` is required for ``bet`` and ``raise`` (the street bet it
        becomes) and ignored otherwise. A refused action raises and leaves
        the hand unchanged.
        """
        self.verify_action(seat, action, amount)
        state = self._state
        i = self._index[seat]
        before = state.bets[i]
        if action == 'fold':
            state.fold()
            self._in_hand[i] = False
        elif action in ('check', 'call'):
            state.check_or_call()
        elif action in ('bet', 'raise'):
            state.complete_bet_or_raise_to(amount)
        elif state.stacks[i] <= max(state.bets) - before:
            state.check_or_call()
        else:
            state.complete_bet_or_raise_to(state.stacks[i] + before)
        put_in = self._state_bet_after(i) - before
        self._street_bets[i] += put_in
        self._committed[i] += put_in
        self._op_count += 1
        logged = Action(seat, action, amount if action in ('bet', 'raise') else None)
        self.actions.append(logged)
        events = [self._action_event(i, action)]
        events.extend(self._advance())
        self.events.extend(events)
        return events

    def _state_bet_after(self, i: int) -> int:
        """The bet PokerKit's action operation put ``i``'s bet at."""
        op = self._state.operations[self._op_count]
        if isinstance(op, CheckingOrCalling):
            return self._street_bets[i] + op.amount
        if isinstance(op, CompletionBettingOrRaisingTo):
            return op.amount
        assert isinstance(op, Folding)
        return self._street_bets[i]

    def _reason(self, seat: int, action: str, amount: int | None, *,
                amount_free: bool) -> str | None:
        """Why ``action`` is illegal for the seat to act, or ``None``."""
        state = self._state
        i = self._index[seat]
        to_call = max(state.bets) - state.bets[i]
        if action == 'fold':
            return None if to_call > 0 else f'seat {seat} can check: folding is not allowed'
        if action == 'check':
            return None if to_call == 0 else (
                f'seat {seat} faces a bet of {to_call}: check is not allowed')
        if action == 'call':
            return None if to_call > 0 else 'there is no bet to call: check instead'
        if action == 'all_in':
            if state.stacks[i] <= to_call or state.can_complete_bet_or_raise_to(
                    state.stacks[i] + state.bets[i]):
                return None
            return 'raising is closed: call instead'
        if action in ('bet', 'raise'):
            if action == 'bet' and max(state.bets) > 0:
                return 'there is a bet already: raise instead'
            if action == 'raise' and max(state.bets) == 0:
                return 'there is no bet to raise: bet instead'
            low = state.min_completion_betting_or_raising_to_amount
            high = state.max_completion_betting_or_raising_to_amount
            if low is None or high is None:
                return 'raising is not allowed: the betting is not reopened'
            if amount_free:
                return None
            if amount is None or isinstance(amount, bool) or not isinstance(amount, int):
                return f'{action} needs an integer amount (the street bet it becomes)'
            if amount < low:
                return f'{action} to {amount} is below the minimum of {low}'
            if amount > high:
                return f'{action} to {amount} is above the maximum of {high}'
            return None
        return f'unknown action {action!r}'

    # dealing, showdown and events

    def _draw(self) -> Card:
        position = self._next_position
        self._next_position += 1
        return _CARDS[self.deck.cards[position]]

    def _advance(self) -> list[HandEvent]:
        """Deal, burn and show until a seat must act or the hand is over."""
        state = self._state
        events: list[HandEvent] = []
        while state.status:
            if state.can_burn_card():
                state.burn_card(self._draw())
            elif (dealee := state.hole_dealee_index) is not None:
                # both cards at once, from their round-by-round positions
                positions = [dealee, dealee + len(self.seats)]
                self._hole_positions[dealee] = positions
                state.deal_hole(tuple(_CARDS[self.deck.cards[p]] for p in positions))
            elif (count := state.board_dealing_count) is not None:
                self._board_positions.extend(range(self._next_position,
                                                   self._next_position + count))
                state.deal_board(tuple(self._draw() for _ in range(count)))
            elif (shower := state.showdown_index) is not None:
                show = (state.all_in_status or not self.config.muck_losing_hands
                        or state.can_win_now(shower))
                state.show_or_muck_hole_cards(show)
            else:
                break
            events.extend(self._translate())
        events.extend(self._translate())
        if not state.status:
            events.append(self._hand_end())
        return events

    def _translate(self) -> list[HandEvent]:
        """Events for the PokerKit operations since the last call."""
        state = self._state
        events: list[HandEvent] = []
        operations = state.operations[self._op_count:]
        self._op_count = len(state.operations)
        for op in operations:
            if isinstance(op, AntePosting):
                self._street_bets[op.player_index] += op.amount
                self._committed[op.player_index] += op.amount
                self._antes[op.player_index] += op.amount
                events.extend(self._ante_events(op))
            elif isinstance(op, BlindOrStraddlePosting):
                self._street_bets[op.player_index] += op.amount
                self._committed[op.player_index] += op.amount
                events.append(self._blind_event(op))
            elif isinstance(op, BetCollection):
                events.extend(self._collect(op))
            elif isinstance(op, BoardDealing):
                if not self._dealt_announced:
                    events.append(self._deal_event())
                board = self.board
                name = {3: 'FLOP', 4: 'TURN', 5: 'RIVER'}[len(board)]
                events.append(HandEvent(name, {
                    'cards': [repr(c) for c in op.cards], 'board': board,
                    'pots': [p.to_dict() for p in self._ledger_pots()]}))
            elif isinstance(op, HoleCardsShowingOrMucking):
                self._pending_showdown.append(op)
            elif isinstance(op, ChipsPushing):
                for i, amount in enumerate(op.amounts):
                    if amount:
                        self._winnings.extend(self._pay(self.seats[i], amount, op.pot_index))
        # all-in hands are shown before the run-out; name them on the full board
        if self._pending_showdown and not state.showdown_indices and (
                len(state.board_cards) == 5 or not state.status):
            events.append(self._showdown())
        if (not self._dealt_announced and all(len(p) == 2 for p in self._hole_positions)):
            events.append(self._deal_event())
        return events

    def _pay(self, seat: int, amount: int, pushed_pot: int) -> list[Winning]:
        """One PokerKit push to ``seat``, as winnings of the engine's pots, in order.

        Once the losing hands are killed PokerKit merges the pots left with
        the same players: a player who wins a main and a side pot gets one
        push. HAND_END names each pot, so the push is spread over the pots
        the seat can win, main pot first (PokerKit pushes in that order too).
        """
        if self._unpaid is None:
            self._unpaid = [([pot.amount], pot.seats) for pot in self._ledger_pots()]
        paid: list[Winning] = []
        for number, (left, seats) in enumerate(self._unpaid):
            if amount and left[0] and seat in seats:
                share = min(amount, left[0])
                left[0] -= share
                amount -= share
                paid.append(Winning(seat, share, number))
        if amount:
            paid.append(Winning(seat, amount, pushed_pot))
        return paid

    def _base_antes(self) -> list[int]:
        config = self.config
        result = []
        for seat in config.order():
            if config.bb_ante:
                result.append(config.ante if seat == config.big_blind_seat() else 0)
            else:
                result.append(config.ante)
        return result

    def _stack(self, i: int) -> int:
        return self._state.starting_stacks[i] - self._committed[i]

    def _ante_events(self, op: AntePosting) -> list[HandEvent]:
        i = op.player_index
        normal = min(op.amount, self._ante_parts[i])
        events = []
        if normal:
            events.append(self._forced_event(i, 'post_ante', normal))
        if op.amount > normal:
            events.append(self._forced_event(i, 'post_small_blind', op.amount - normal,
                                             dead=True))
        return events

    def _blind_event(self, op: BlindOrStraddlePosting) -> HandEvent:
        i = op.player_index
        seat = self.seats[i]
        blinds = (self.config.small_blind_seat(), self.config.big_blind_seat())
        action = 'post_small_blind' if seat == blinds[0] else 'post_big_blind'
        extra = {} if seat in blinds else {'out_of_position': True}
        return self._forced_event(i, action, self._street_bets[i], **extra)

    def _forced_event(self, i: int, action: str, amount: int, **extra: Any) -> HandEvent:
        data = {'seat': self.seats[i], 'action': action, 'amount': amount,
                'stack': self._stack(i), 'pot': sum(self._committed)}
        data.update(extra)
        return HandEvent('PLAYER_ACTION', data)

    def _action_event(self, i: int, action: str) -> HandEvent:
        return HandEvent('PLAYER_ACTION', {
            'seat': self.seats[i], 'action': action, 'amount': self._street_bets[i],
            'stack': self._stack(i), 'pot': sum(self._committed)})

    def _collect(self, op: BetCollection) -> list[HandEvent]:
        """Bets into the pot; what PokerKit gave back is an uncalled bet."""
        state = self._state
        events = []
        bets = self._street_bets
        winner = self._in_hand.index(True) if sum(self._in_hand) == 1 else None
        for i, bet in enumerate(bets):
            if i == winner:
                # PokerKit leaves the last player's bet out of the pot
                returned = bet - max(b for j, b in enumerate(bets) if j != i)
            else:
                returned = bet - op.bets[i]
            if returned > 0:
                seat = self.seats[i]
                self._uncalled[seat] = self._uncalled.get(seat, 0) + returned
                self._uncalled_board = len(state.board_cards)
                self._committed[i] -= returned
                events.append(HandEvent('UNCALLED_BET', {
                    'seat': seat, 'amount': returned, 'stack': self._stack(i)}))
        self._street_bets = [0] * len(self.seats)
        return events

    def _deal_event(self) -> HandEvent:
        self._dealt_announced = True
        return HandEvent('DEAL_CARDS', {'seats': list(self.seats)})

    def _showdown(self) -> HandEvent:
        hands = []
        board = self.board
        for op in self._pending_showdown:
            seat = self.seats[op.player_index]
            if op.hole_cards:
                cards = tuple(repr(c) for c in op.hole_cards)
                self._shown[seat] = cards
                rank, best = describe(cards, board)
                hands.append({'seat': seat, 'cards': list(cards), 'rank': rank,
                              'best': list(best)})
            else:
                self._mucked.append(seat)
        self._pending_showdown = []
        return HandEvent('SHOWDOWN', {'hands': hands,
                                      'mucked': list(self._mucked)})

    def _hand_end(self) -> HandEvent:
        if sum(self._in_hand) == 1:
            # the last player's own matched bet comes back by pulling, not pushing
            seat = self.seats[self._in_hand.index(True)]
            missing = sum(self._committed) - sum(w.amount for w in self._winnings)
            if missing:
                last = self._winnings.pop() if self._winnings else Winning(seat, 0, 0)
                self._winnings.append(Winning(seat, last.amount + missing, last.pot))
        return HandEvent('HAND_END', {
            'winners': [{'seat': w.seat, 'amount': w.amount, 'pot': w.pot}
                        for w in self._winnings],
            'board': self.board,
            'stacks': {str(seat): stack for seat, stack in self.stacks.items()},
            'deck_proof': self.deck_proof(),
        })
