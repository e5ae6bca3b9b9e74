"""Players registering and unregistering: the buy-in into the prize pool, the fee to the house, and back."""

from __future__ import annotations

from typing import Any

from pokerrt import clock, errors
from pokerrt.accounts.actions import do_transfer, wallet_of
from pokerrt.accounts.errors import InsufficientFunds as WalletTooLow
from pokerrt.accounts.models import Reason, user_ref
from pokerrt.realtime.streams import emit_many

from .. import lobby_rows, snapshots
from ..models import Entry, EntryStatus, Tournament, TournamentKind, TournamentStatus
from .base import house_account, locked_tournament, pool_account
from .play import seat_late, start
from .tournaments import refund


def do_register(user: Any, tournament_id: int | str) -> Entry:
    """Pay the buy-in and fee and take a place: before the start, or during late registration."""
    with locked_tournament(tournament_id) as tournament:
        check_can_register(tournament, user)
        wallet = wallet_of(user)
        cost, balance = tournament.buy_in + tournament.fee, wallet.balance
        if balance < cost:
            raise errors.InsufficientFunds(f"Registering costs {cost}; your balance is {balance}.")
        entry = Entry.objects.create(tournament=tournament, user=user, buy_in=tournament.buy_in,
                                     fee=tournament.fee, chips=tournament.starting_stack)
        memo = f"tournament {tournament.pk} entry {entry.pk}"
        try:
            if entry.buy_in:
                do_transfer(wallet, pool_account(tournament), entry.buy_in, Reason.REGISTER, memo=memo)
            if entry.fee:
                do_transfer(wallet, house_account(), entry.fee, Reason.FEE, memo=memo)
        except WalletTooLow:
            # Spent meanwhile by another action: the whole transaction rolls back, entry and payment.
            raise errors.InsufficientFunds(f"Registering costs {cost}; your balance is too low.") from None
        if tournament.status != TournamentStatus.REGISTERING:
            seat_late(tournament, entry)
        _announce(tournament, user, "TOURNAMENT_REGISTER", wallet.balance, -cost,
                  player=snapshots.player_info(entry))
        registered, _ = tournament.field()
        if (tournament.kind == TournamentKind.SIT_AND_GO and tournament.status == TournamentStatus.REGISTERING
                and registered >= tournament.max_players):
            start(tournament)
        return entry


def check_can_register(tournament: Tournament, user: Any) -> None:
    """CONFLICT when registration is closed, the user holds a place already, or the field is full."""
    if tournament.status == TournamentStatus.CANCELLED:
        raise errors.Conflict("The tournament was cancelled.")
    if tournament.entry_of(user) is not None:
        raise errors.Conflict("You are registered already.")
    registered, _ = tournament.field()
    # A sit-and-go starts the moment it fills: full says more than closed.
    if registered >= tournament.max_players:
        raise errors.Conflict("The tournament is full.")
    if not tournament.registration_open():
        raise errors.Conflict("Registration is closed.")


def do_unregister(user: Any, tournament_id: int | str) -> Entry:
    """Give the place back before the start: buy-in and fee refunded."""
    with locked_tournament(tournament_id) as tournament:
        entry = tournament.entry_of(user)
        if entry is None:
            raise errors.Conflict("You are not registered.")
        if tournament.status != TournamentStatus.REGISTERING:
            raise errors.Conflict("The tournament has started; entries stay in.")
        wallet = wallet_of(user)
        refund(tournament, entry, wallet, Reason.UNREGISTER)
        entry.status = EntryStatus.UNREGISTERED
        entry.unregistered_at = clock.now()
        entry.save(update_fields=["status", "unregistered_at"])
        _announce(tournament, user, "TOURNAMENT_UNREGISTER", wallet.balance, entry.buy_in + entry.fee)
        return entry


def _announce(tournament: Tournament, user: Any, kind: str, balance: int, change: int, **extra: Any) -> None:
    """The public count and pool on the TOURNAMENT stream; the registrations and balance on the user's PLAYER stream."""
    registered, prize_pool = tournament.field()
    public = {"user": user_ref(user), "registered": registered, "prize_pool": prize_pool,
              "payouts": snapshots.payout_list(tournament, registered, prize_pool), **extra}
    private = {"tournament_id": str(tournament.pk), "registrations": snapshots.player_registrations(user),
               "balance": balance, "change": change}
    emit_many([("TOURNAMENT", tournament.pk, kind, public), ("PLAYER", user.pk, kind, private)])
    lobby_rows.mark(tournament)
