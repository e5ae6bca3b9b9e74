"""Staff cancelling a tournament: before the start everyone is refunded; in play the pool is chopped by chips.

Cancelling in play happens between hands only (pause, let the hands in play
end, then cancel): the players still in share what is left of the prize
pool in proportion to their chips (odd chips to the bigger stacks) and get
their fee back; players already out keep their places and prizes. The
tables close and their tournament chips go back to the mint. docs/tournaments.md,
"Cancelling".
"""

from __future__ import annotations

from typing import Any

from pokerrt import clock, errors
from pokerrt.accounts.actions import do_transfer, wallet_of
from pokerrt.accounts.models import Reason, user_ref
from pokerrt.realtime.streams import Emission, emit_many
from pokerrt.timers import cancel
from tables import actions as table_actions
from tables.models import Hand, HandStatus

from .. import lobby_rows, snapshots
from ..models import Entry, EntryStatus, Tournament, TournamentStatus
from ..payouts import split
from .base import house_account, locked_tournament, pool_account, standing
from .clock import clock_timer
from .hands import eliminate, sync_chips
from .play import open_tables, players_of
from .tournaments import cancel_and_refund, start_timer

IN_PLAY = (TournamentStatus.RUNNING, TournamentStatus.PAUSED)


def do_cancel_tournament(tournament_id: int | str) -> Tournament:
    """Cancel a tournament: refunds before the start, a chip chop of the pool in play (between hands)."""
    with locked_tournament(tournament_id) as tournament:
        if tournament.status == TournamentStatus.REGISTERING:
            return cancel_and_refund(tournament)
        if tournament.status not in IN_PLAY:
            raise errors.Conflict("The tournament is over: it can no longer be cancelled.")
        return _cancel_in_play(tournament)


def _cancel_in_play(tournament: Tournament) -> Tournament:
    tables = open_tables(tournament)
    if Hand.objects.filter(table_id__in=[held.table_id for held in tables], status=HandStatus.LIVE).exists():
        raise errors.Conflict("Hands are in play: pause the tournament and cancel it once they have ended.")
    # Players a hand has busted are out, whether or not their after-hands task (or the end of a
    # hand-for-hand round) has placed them yet: they take their places, not a share of the chop.
    eliminate(tournament, players_of(tables), one_round=tournament.hand_for_hand)
    sync_chips(tournament)
    # The bigger stack first: split() gives the odd chips to the earlier places.
    staying = list(Entry.objects.filter(tournament=tournament, status__in=(EntryStatus.PLAYING, EntryStatus.REGISTERED))
                   .select_related("user").order_by("-chips", "id"))
    pool = pool_account(tournament).balance
    chips = [entry.chips for entry in staying]
    shares = split(pool, chips) if sum(chips) > 0 else [0] * len(staying)
    private: list[Emission] = [_pay_out(tournament, entry, share) for entry, share in zip(staying, shares, strict=True)]
    for held in tables:
        table_actions.do_delete_table(held.table_id)  # the seats' tournament chips go back to the mint
    cancel(clock_timer(tournament.pk))
    cancel(start_timer(tournament.pk))
    tournament.status = TournamentStatus.CANCELLED
    tournament.finished_at = clock.now()
    tournament.period_ends_at = None
    tournament.on_break = tournament.break_pending = tournament.hand_for_hand = False
    tournament.save(update_fields=["status", "finished_at", "period_ends_at", "on_break", "break_pending",
                                   "hand_for_hand"])
    places = (Entry.objects.filter(tournament=tournament, status=EntryStatus.ELIMINATED)
              .select_related("user").order_by("finish_position"))
    ended = {
        "results": [{"user": user_ref(e.user), "position": e.finish_position, "prize": e.prize} for e in places],
        "cancelled": True,
        # The standings as they end: the players out keep their places, the others show their share.
        "players": [snapshots.player_info(e) for e in tournament.live_entries().select_related("user").order_by("id")],
        **standing(tournament),
    }
    emit_many([("TOURNAMENT", tournament.pk, "TOURNAMENT_END", ended), *private])
    lobby_rows.mark(tournament)
    return tournament


def _pay_out(tournament: Tournament, entry: Entry, share: int) -> Emission:
    """One player still in: their share of the pool and their fee back; what their PLAYER stream hears."""
    wallet = wallet_of(entry.user)
    memo = f"tournament {tournament.pk} cancelled, entry {entry.pk}"
    if share:
        wallet = do_transfer(pool_account(tournament), wallet, share, Reason.CANCEL_REFUND, memo=memo).destination
    if entry.fee:
        wallet = do_transfer(house_account(), wallet, entry.fee, Reason.CANCEL_REFUND, memo=memo).destination
    entry.status = EntryStatus.CANCELLED
    entry.prize = share
    entry.chips = 0
    entry.table = None
    entry.seat = None
    entry.save(update_fields=["status", "prize", "chips", "table", "seat"])
    data: dict[str, Any] = {
        "tournament_id": str(tournament.pk), "reason": "cancelled",
        "registrations": snapshots.player_registrations(entry.user),
        "balance": wallet.balance, "change": share + entry.fee,
    }
    return ("PLAYER", entry.user_id, "TOURNAMENT_UNREGISTER", data)
