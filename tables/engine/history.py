"""Hand histories of a finished hand: PokerStars text and PHH.

Both are written for one viewer: the viewer's own hole cards (if any) and
what the table saw (the board, hands shown at showdown). Mucked and unseen
cards never appear; ``viewer_seat=None`` is an observer's history::

    text = pokerstars_text(hand, HistoryInfo(hand_id=42, table_name='Alpha',
                                              names={1: 'alice', 2: 'bob'},
                                              started_at=datetime.now(UTC)),
                           viewer_seat=1)
    list(pokerkit.PokerStarsParser()(text))   # reads it back

PokerStars text follows the site's format with two concessions to
PokerKit 0.7.7's ``PokerStarsParser``, which reads winnings only from
``Seat N: name collected (X)``: summary lines of the seats that won take
that form, without a position marker. The parser does not read antes or
``posts small & big blinds``; such hands still parse, with those chips
missing from its stacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from pokerkit import (
    AntePosting,
    BetCollection,
    BlindOrStraddlePosting,
    BoardDealing,
    CheckingOrCalling,
    CompletionBettingOrRaisingTo,
    Folding,
    HandHistory,
    HoleCardsShowingOrMucking,
    HoleDealing,
)

from tables.engine.config import MAX_SEATS
from tables.engine.evaluator import describe
from tables.engine.hand import Hand


@dataclass(frozen=True)
class TournamentInfo:
    """Tournament fields of a PokerStars header."""

    tournament_id: int
    level: int
    """The blind level, 1-based (written in Roman numerals)."""
    buy_in: str = 'Freeroll'
    """As PokerStars writes it, e.g. ``'$10+$1 USD'``."""


@dataclass(frozen=True)
class HistoryInfo:
    """What a history needs beyond the hand itself."""

    hand_id: int
    table_name: str
    names: dict[int, str]
    """Player names by seat (no spaces: PokerStars names have none)."""
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    max_seats: int = MAX_SEATS
    tournament: TournamentInfo | None = None


def _roman(number: int) -> str:
    numerals = [(1000, 'M'), (900, 'CM'), (500, 'D'), (400, 'CD'), (100, 'C'), (90, 'XC'),
                (50, 'L'), (40, 'XL'), (10, 'X'), (9, 'IX'), (5, 'V'), (4, 'IV'), (1, 'I')]
    result = ''
    for value, numeral in numerals:
        while number >= value:
            result += numeral
            number -= value
    return result


def _cards(cards: list[str] | tuple[str, ...]) -> str:
    return ' '.join(cards)


def pokerstars_text(hand: Hand, info: HistoryInfo, viewer_seat: int | None = None) -> str:
    """The PokerStars hand history of a finished hand, seen by ``viewer_seat``."""
    if not hand.is_over:
        raise ValueError('only a finished hand has a history')
    config = hand.config
    state = hand.state
    name = {seat: info.names.get(seat, f'Seat{seat}') for seat in hand.seats}
    stamp = info.started_at.astimezone(UTC).strftime('%Y/%m/%d %H:%M:%S UTC')
    blinds = f'{config.small_blind}/{config.big_blind}'
    lines = []
    if info.tournament is None:
        lines.append(f"PokerStars Hand #{info.hand_id}:  Hold'em No Limit ({blinds}) - {stamp}")
        table = info.table_name
    else:
        t = info.tournament
        lines.append(f"PokerStars Hand #{info.hand_id}: Tournament #{t.tournament_id}, "
                     f"{t.buy_in} Hold'em No Limit - Level {_roman(t.level)} ({blinds}) - {stamp}")
        table = f'{t.tournament_id} {info.table_name}'
    lines.append(f"Table '{table}' {info.max_seats}-max Seat #{config.button} is the button")
    for seat in sorted(hand.seats):
        lines.append(f'Seat {seat}: {name[seat]} ({config.entry(seat).stack} in chips)')

    sb_seat, bb_seat = config.small_blind_seat(), config.big_blind_seat()
    bets = [0] * len(hand.seats)
    put = [0] * len(hand.seats)
    folded_on: dict[int, str] = {}
    street_names = {0: 'before Flop', 3: 'on the Flop', 4: 'on the Turn', 5: 'on the River'}
    board: list[str] = []
    uncalled = hand.uncalled()
    uncalled_written = False
    showdown_header = False
    dealt_header = False
    posted_both = {e.seat for e in config.seats if e.post.value == 'both'}

    def all_in(i: int) -> str:
        return ' and is all-in' if put[i] == state.starting_stacks[i] else ''

    def write_uncalled() -> None:
        nonlocal uncalled_written
        if uncalled and not uncalled_written:
            for seat, amount in uncalled.items():
                lines.append(f'Uncalled bet ({amount}) returned to {name[seat]}')
            uncalled_written = True

    for op in state.operations:
        actor = hand.seats[op.player_index] if hasattr(op, 'player_index') else None
        if isinstance(op, AntePosting):
            assert actor is not None
            put[op.player_index] += op.amount
            base = hand.base_ante(actor)
            if min(op.amount, base):
                lines.append(f'{name[actor]}: posts the ante {min(op.amount, base)}')
            if op.amount > base and actor not in posted_both:
                lines.append(f'{name[actor]}: posts small blind {op.amount - base}')
        elif isinstance(op, BlindOrStraddlePosting):
            assert actor is not None
            bets[op.player_index] = op.amount
            put[op.player_index] += op.amount
            if actor in posted_both:
                total = op.amount + config.small_blind
                lines.append(f'{name[actor]}: posts small & big blinds {total}')
            else:
                kind = 'small' if actor == sb_seat else 'big'
                lines.append(f'{name[actor]}: posts {kind} blind {op.amount}')
        elif isinstance(op, HoleDealing):
            if not dealt_header:
                lines.append('*** HOLE CARDS ***')
                dealt_header = True
                if viewer_seat in hand.seats:
                    lines.append(f'Dealt to {name[viewer_seat]} '
                                 f'[{_cards(hand.hole_cards(viewer_seat))}]')
        elif isinstance(op, BetCollection):
            bets = [0] * len(hand.seats)
        elif isinstance(op, BoardDealing):
            if len(board) == hand.uncalled_street:
                write_uncalled()
            new = [repr(c) for c in op.cards]
            if not board:
                lines.append(f'*** FLOP *** [{_cards(new)}]')
            else:
                label = 'TURN' if len(board) == 3 else 'RIVER'
                lines.append(f'*** {label} *** [{_cards(board)}] [{_cards(new)}]')
            board.extend(new)
        elif isinstance(op, Folding):
            assert actor is not None
            lines.append(f'{name[actor]}: folds')
            folded_on[actor] = street_names[len(board)]
        elif isinstance(op, CheckingOrCalling):
            assert actor is not None
            i = op.player_index
            if op.amount == 0:
                lines.append(f'{name[actor]}: checks')
            else:
                bets[i] += op.amount
                put[i] += op.amount
                lines.append(f'{name[actor]}: calls {op.amount}{all_in(i)}')
        elif isinstance(op, CompletionBettingOrRaisingTo):
            assert actor is not None
            i = op.player_index
            top = max(bets)
            put[i] += op.amount - bets[i]
            bets[i] = op.amount
            if top == 0:
                lines.append(f'{name[actor]}: bets {op.amount}{all_in(i)}')
            else:
                lines.append(f'{name[actor]}: raises {op.amount - top} to {op.amount}'
                             f'{all_in(i)}')
        elif isinstance(op, HoleCardsShowingOrMucking):
            assert actor is not None
            write_uncalled()
            if len(board) == 5 and not showdown_header:
                lines.append('*** SHOW DOWN ***')
                showdown_header = True
            if op.hole_cards:
                cards = [repr(c) for c in op.hole_cards]
                rank, _ = describe(cards, hand.board)
                lines.append(f'{name[actor]}: shows [{_cards(cards)}] ({rank})')
            else:
                lines.append(f'{name[actor]}: mucks hand')
    write_uncalled()
    winnings = hand.winnings()
    pots = sorted({w.pot for w in winnings})
    for w in winnings:
        source = 'pot' if len(pots) == 1 else (
            'main pot' if w.pot == 0 else f'side pot-{w.pot}')
        lines.append(f'{name[w.seat]} collected {w.amount} from {source}')
    total = sum(hand.contributions().values())
    lines.append('*** SUMMARY ***')
    pot_amounts = _pot_amounts(hand)
    if len(pot_amounts) > 1:
        sides = ' '.join(f'Side pot-{k} {a}.' for k, a in enumerate(pot_amounts[1:], 1))
        lines.append(f'Total pot {total} Main pot {pot_amounts[0]}. {sides} | Rake 0')
    else:
        lines.append(f'Total pot {total} | Rake 0')
    if hand.board:
        lines.append(f'Board [{_cards(hand.board)}]')
    won: dict[int, int] = {}
    for w in winnings:
        won[w.seat] = won.get(w.seat, 0) + w.amount
    shown = hand.shown_cards()
    for seat in sorted(hand.seats):
        if seat in won:
            lines.append(f'Seat {seat}: {name[seat]} collected ({won[seat]})')
            continue
        marks = ''
        if seat == config.button:
            marks += ' (button)'
        if seat == sb_seat:
            marks += ' (small blind)'
        elif seat == bb_seat:
            marks += ' (big blind)'
        if seat in folded_on:
            tail = f'folded {folded_on[seat]}'
        elif seat in shown:
            rank, _ = describe(shown[seat], hand.board)
            tail = f'showed [{_cards(shown[seat])}] and lost with {rank}'
        else:
            tail = 'mucked'
        lines.append(f'Seat {seat}: {name[seat]}{marks} {tail}')
    return '\n'.join(lines) + '\n\n\n'


def _pot_amounts(hand: Hand) -> list[int]:
    amounts: dict[int, int] = {}
    for w in hand.winnings():
        amounts[w.pot] = amounts.get(w.pot, 0) + w.amount
    return [amounts[k] for k in sorted(amounts)]


def phh(hand: Hand, info: HistoryInfo, viewer_seat: int | None = None) -> str:
    """The hand in the Poker Hand History format (PokerKit's ``HandHistory``)."""
    if not hand.is_over:
        raise ValueError('only a finished hand has a history')
    state = hand.state
    shown = hand.shown_cards()
    actions = []
    dealt = False
    for op in state.operations:
        if isinstance(op, HoleDealing):
            if not dealt:
                dealt = True
                for i, seat in enumerate(hand.seats):
                    cards = ''.join(hand.hole_cards(seat)) if seat == viewer_seat else '????'
                    actions.append(f'd dh p{i + 1} {cards}')
        elif isinstance(op, BoardDealing):
            actions.append('d db ' + ''.join(repr(c) for c in op.cards))
        elif isinstance(op, Folding):
            actions.append(f'p{op.player_index + 1} f')
        elif isinstance(op, CheckingOrCalling):
            actions.append(f'p{op.player_index + 1} cc')
        elif isinstance(op, CompletionBettingOrRaisingTo):
            actions.append(f'p{op.player_index + 1} cbr {op.amount}')
        elif isinstance(op, HoleCardsShowingOrMucking):
            seat = hand.seats[op.player_index]
            cards = ''.join(shown[seat]) if seat in shown else '-'
            actions.append(f'p{op.player_index + 1} sm {cards}')
    won = {seat: 0 for seat in hand.seats}
    for w in hand.winnings():
        won[w.seat] += w.amount
    stamp = info.started_at.astimezone(UTC)
    history = HandHistory(
        variant='NT',
        antes=list(state.antes),
        blinds_or_straddles=list(state.blinds_or_straddles),
        min_bet=hand.config.big_blind,
        starting_stacks=list(state.starting_stacks),
        actions=actions,
        venue='pokerrt',
        hand=info.hand_id,
        table=info.table_name,
        seat_count=info.max_seats,
        seats=list(hand.seats),
        players=[info.names.get(seat, f'Seat{seat}') for seat in hand.seats],
        finishing_stacks=list(state.stacks),
        winnings=[won[seat] for seat in hand.seats],
        year=stamp.year, month=stamp.month, day=stamp.day, time=stamp.time().replace(
            microsecond=0),
        time_zone='UTC',
        event=None if info.tournament is None else f'Tournament #{info.tournament.tournament_id}',
        level=None if info.tournament is None else info.tournament.level,
    )
    return history.dumps()
