"""Seating policies: how each kind of table takes players in and lets them go.

The one place where cash and tournament tables differ: where a player's
chips come from, where they go when the player stands up, whether sitting
out runs out, and what becomes of a player a hand left without chips. The
tables app registers the cash policy; the tournament app registers its own
for ``TableKind.TOURNAMENT``. A policy checks, moves chips through the ledger
and answers; the table actions around it change the seats, arm the timers and
emit the events, the same for every kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings

from pokerrt import errors
from pokerrt.accounts.actions import account_for, do_transfer, wallet_of
from pokerrt.accounts.errors import InsufficientFunds as WalletTooLow
from pokerrt.accounts.models import AccountKind, Reason

from .models import Hand, Seat, Table


@dataclass(frozen=True)
class Blinds:
    """What the next hand at a table posts: its blinds and ante (with ``bb_ante``, the big blind's ante for all)."""

    small_blind: int
    big_blind: int
    ante: int = 0
    bb_ante: bool = False


@dataclass(frozen=True)
class WalletChange:
    """A player's wallet after chips moved with their seat: ``balance`` and ``change`` on the PLAYER stream."""

    balance: int  # the wallet after the move
    change: int  # signed: a buy-in is negative


class SeatingPolicy(Protocol):
    """What a kind of table decides. Each method runs inside the action's transaction, the table locked."""

    def check_buy_in(self, table: Table, amount: int) -> None:
        """Raise the protocol error that refuses a player's buy-in of ``amount``: FORBIDDEN where players never buy in."""

    def buy_in(self, table: Table, seat: Seat, user: Any, amount: int) -> WalletChange | None:
        """Bring ``amount`` chips for ``user`` into the table's ledger account; their wallet after, if it paid."""

    def stand_up(self, table: Table, seat: Seat) -> WalletChange | None:
        """Take the seat's stack off the table's ledger account as its player stands up."""

    def sit_out_seconds(self, table: Table) -> float | None:
        """How long a player may sit out before being stood up; None: as long as they like."""

    def after_hand_bust(self, table: Table, seat: Seat, hand: Hand) -> bool:
        """``hand`` left the seat's player without chips: whether they stand up now."""

    def deals_in_sitting_out(self, table: Table) -> bool:
        """Whether players sitting out are dealt in anyway, to be blinded out on their clock (tournaments)."""

    def check_leave(self, table: Table, seat: Seat) -> None:
        """Raise the protocol error that refuses the seat's player standing up of their own accord."""

    def may_deal(self, table: Table) -> bool:
        """Whether the table may deal its next hand now (a tournament on a break, or hand-for-hand, holds it)."""

    def blinds(self, table: Table) -> Blinds:
        """The blinds and ante of the table's next hand."""

    def hand_ended(self, table: Table, hand: Hand) -> None:
        """``hand`` was settled at ``table`` (the busted stood up): what the kind of table does next."""


class CashPolicy:
    """Cash tables: buy in from the wallet within the table's range, cash out to it."""

    def check_buy_in(self, table: Table, amount: int) -> None:
        if not table.min_buy_in <= amount <= table.max_buy_in:
            raise errors.Validation(
                f"The buy-in is {table.min_buy_in} to {table.max_buy_in} chips.",
                details={"buy_in": [f"Between {table.min_buy_in} and {table.max_buy_in}."]},
            )

    def buy_in(self, table: Table, seat: Seat, user: Any, amount: int) -> WalletChange:
        wallet = wallet_of(user)
        try:
            do_transfer(wallet, account_for(AccountKind.TABLE, table.pk), amount, Reason.BUY_IN,
                        memo=f"table {table.pk} seat {seat.number}")
        except WalletTooLow:
            raise errors.InsufficientFunds(
                f"A buy-in of {amount} needs more than your balance of {wallet.balance}."
            ) from None
        return WalletChange(balance=wallet.balance, change=-amount)

    def stand_up(self, table: Table, seat: Seat) -> WalletChange:
        wallet = wallet_of(seat.user)
        if seat.stack:
            entry = do_transfer(account_for(AccountKind.TABLE, table.pk), wallet, seat.stack,
                                Reason.CASH_OUT, memo=f"table {table.pk} seat {seat.number}")
            wallet = entry.destination
        return WalletChange(balance=wallet.balance, change=seat.stack)

    def sit_out_seconds(self, table: Table) -> float:
        return float(settings.POKERRT_TABLES["SIT_OUT_SECONDS"])

    def after_hand_bust(self, table: Table, seat: Seat, hand: Hand) -> bool:
        return True  # a cash player buys in again to play on

    def deals_in_sitting_out(self, table: Table) -> bool:
        return False

    def check_leave(self, table: Table, seat: Seat) -> None:
        return None  # a cash player stands up when they like

    def may_deal(self, table: Table) -> bool:
        return True

    def blinds(self, table: Table) -> Blinds:
        return Blinds(table.small_blind, table.big_blind, table.ante)

    def hand_ended(self, table: Table, hand: Hand) -> None:
        return None


_policies: dict[str, SeatingPolicy] = {}


def register_policy(kind: str, policy: SeatingPolicy) -> None:
    """Seat players at tables of ``kind`` by ``policy`` (a later registration replaces it)."""
    _policies[kind] = policy


def policy_for(table: Table) -> SeatingPolicy:
    """The policy of the table's kind; FORBIDDEN for a kind no app seats players at."""
    policy = _policies.get(table.kind)
    if policy is None:
        raise errors.Forbidden(f"No player can be seated at a {table.get_kind_display().lower()} here.")
    return policy

