"""How tournament tables seat players: the table core's seating policy for ``TableKind.TOURNAMENT``.

Tournament chips are not wallet chips. When the tournament seats a player
(``tournament.actions.play``), their starting stack is minted into the
table's ledger account (MINT -> TABLE, reason ``buy_in``, memo naming the
tournament); chips then move between tables with the players
(``do_move_player``), and the winner's stack goes back to the mint when the
final table closes (TABLE -> MINT, ``cash_out``). So seat stacks always equal
the table accounts (the tables' part of ``audit_chips``), and a running
tournament's tables hold exactly its seated entries' starting stacks (the
tournament's part). Nobody buys in (FORBIDDEN) or stands up of their own
accord (FORBIDDEN); sitting out never runs out, and players sitting out
(disconnected) are dealt in and blinded out on their clock. A player a hand
leaves without chips stands up; the tournament eliminates them in its
after-hands task.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pokerrt import clock, errors
from pokerrt.accounts.actions import account_for, do_transfer, mint_account
from pokerrt.accounts.models import AccountKind, Reason
from pokerrt.timers import schedule
from tables.models import Hand, Seat, Table
from tables.policies import Blinds

from .models import BlindLevel, Entry, EntryStatus, TournamentStatus, TournamentTable

AFTER_HANDS = "tournament.after_hands"


def after_hands_timer(tournament_id: int, table_id: int) -> str:
    """One key per table: firing it locks the tournament, then the table, then the deadline row,
    so a hand ending at that table (table locked, then this row) cannot deadlock with it."""
    return f"tournament:{tournament_id}:after_hands:{table_id}"


def _seat_of_tournament(table: Table) -> TournamentTable:
    return TournamentTable.objects.select_related("tournament").get(table=table)


class TournamentPolicy:
    def check_buy_in(self, table: Table, amount: int) -> None:
        return None  # buy_in refuses: only it knows who sits down

    def buy_in(self, table: Table, seat: Seat, user: Any, amount: int) -> None:
        """Only the tournament seats players, with their entry's chips, minted into the table's account."""
        entry = Entry.objects.filter(table=table, user=user, status=EntryStatus.PLAYING).first()
        if entry is None or entry.seat is not None or amount != entry.chips:
            raise errors.Forbidden("Players never buy in at a tournament table; the tournament seats them.")
        do_transfer(mint_account(), account_for(AccountKind.TABLE, table.pk), amount, Reason.BUY_IN,
                    memo=f"tournament {entry.tournament_id} chips, entry {entry.pk}")
        return None

    def stand_up(self, table: Table, seat: Seat) -> None:
        """The tournament's chips leave play (the winner's, at the end): back to the mint."""
        if seat.stack:
            do_transfer(account_for(AccountKind.TABLE, table.pk), mint_account(), seat.stack, Reason.CASH_OUT,
                        memo=f"tournament chips retired, table {table.pk} seat {seat.number}")
        return None

    def sit_out_seconds(self, table: Table) -> None:
        return None  # disconnected players stay in, blinded out

    def after_hand_bust(self, table: Table, seat: Seat, hand: Hand) -> bool:
        return True  # out of chips: out of the tournament (eliminated by the after-hands task)

    def deals_in_sitting_out(self, table: Table) -> bool:
        return True

    def check_leave(self, table: Table, seat: Seat) -> None:
        raise errors.Forbidden("Tournament players stay seated until they are eliminated.")

    def may_deal(self, table: Table) -> bool:
        """No hand while paused, on (or due for) a break, held for balancing, or waiting out hand-for-hand."""
        held = _seat_of_tournament(table)
        tournament = held.tournament
        if tournament.status != TournamentStatus.RUNNING or tournament.on_break or tournament.break_pending:
            return False
        if held.held:
            return False
        return not (tournament.hand_for_hand and held.played_round >= tournament.hand_round)

    def blinds(self, table: Table) -> Blinds:
        """The level in play's blinds: a LEVEL_UP takes effect from each table's next hand."""
        tournament = _seat_of_tournament(table).tournament
        level = BlindLevel.objects.filter(structure_id=tournament.structure_id,
                                          number=max(tournament.level, 1)).first()
        if level is None:
            return Blinds(table.small_blind, table.big_blind, table.ante)
        return Blinds(level.small_blind, level.big_blind, level.ante, level.big_blind_ante)

    def hand_ended(self, table: Table, hand: Hand) -> None:
        """Eliminations, balancing and the end run next, in their own transaction, tournament row first."""
        held = _seat_of_tournament(table)
        tournament = held.tournament
        if tournament.hand_for_hand and held.played_round < tournament.hand_round:
            held.played_round = tournament.hand_round
            held.save(update_fields=["played_round"])
        schedule(after_hands_timer(tournament.pk, table.pk), AFTER_HANDS,
                 clock.now() - dt.timedelta(microseconds=1), {"tournament_id": tournament.pk, "table_id": table.pk})
