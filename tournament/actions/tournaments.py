"""Staff changes to tournaments: create, update while registering, cancel with refunds."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from lobby.actions import lock_live_lobby
from lobby.models import Lobby
from pokerrt import clock, errors
from pokerrt.accounts.actions import do_transfer, wallet_of
from pokerrt.accounts.models import Reason
from pokerrt.realtime.streams import Emission, emit, emit_many
from pokerrt.timers import cancel, schedule

from .. import lobby_rows, snapshots
from ..models import BlindStructure, EntryStatus, Tournament, TournamentKind, TournamentStatus
from .base import house_account, locked_tournament, pool_account, standing
from .structures import structure_named

# What a player registers for: fixed once anyone has paid for it.
TERMS = ("kind", "buy_in", "fee", "starting_stack")
# What staff may change while the tournament registers players.
SETTINGS = ("name", "starts_at", "table_size", "min_players", "max_players", "late_registration_levels",
            "structure", "payout_structure", "payout_percentages")
# The structure a tournament gets when none is named: one of the standard ones.
DEFAULT_STRUCTURE = "turbo"


def do_create_tournament(lobby: Lobby, name: str, **fields: Any) -> Tournament:
    """A new tournament in ``lobby``, open for registration; ``structure`` by name or row (default turbo)."""
    _check_names(fields, TERMS + SETTINGS)
    with transaction.atomic():
        # Locked, so a lobby being deleted cannot gain a tournament meanwhile.
        lobby = lock_live_lobby(lobby.pk)
        fields["structure"] = _structure(fields.get("structure") or DEFAULT_STRUCTURE)
        tournament = Tournament(lobby=lobby, name=name, **fields)
        check_tournament(tournament)
        tournament.save()
        arm_start(tournament)
        emit("TOURNAMENT", tournament.pk, "TOURNAMENT_CREATE", standing(tournament))
        lobby_rows.mark(tournament)
        return tournament


def do_update_tournament(tournament_id: int | str, **fields: Any) -> Tournament:
    """Change a registering tournament; its terms (TERMS) only while nobody is registered."""
    _check_names(fields, TERMS + SETTINGS)
    with locked_tournament(tournament_id) as tournament:
        if tournament.status != TournamentStatus.REGISTERING:
            raise errors.Conflict("A tournament can be changed only before it starts.")
        registered, _ = tournament.field()
        changed_terms = [name for name in TERMS if name in fields and fields[name] != getattr(tournament, name)]
        if registered and changed_terms:
            raise errors.Conflict("Players registered on these terms.",
                                  details={name: ["Fixed once players registered."] for name in changed_terms})
        if "structure" in fields:
            fields["structure"] = _structure(fields["structure"])
        for name, value in fields.items():
            setattr(tournament, name, value)
        check_tournament(tournament)
        if tournament.max_players < registered:
            raise errors.Conflict(f"{registered} players are registered already.",
                                  details={"max_players": [f"At least {registered}."]})
        tournament.save()
        arm_start(tournament)
        emit("TOURNAMENT", tournament.pk, "TOURNAMENT_UPDATE", standing(tournament))
        lobby_rows.mark(tournament)
        return tournament


def cancel_and_refund(tournament: Tournament) -> Tournament:
    """Refund every live entry and end the stream cancelled (the tournament row locked, not started)."""
    cancel(start_timer(tournament.pk))
    now = clock.now()
    private: list[Emission] = []
    for entry in tournament.live_entries().select_related("user").order_by("id"):
        wallet = wallet_of(entry.user)
        refund(tournament, entry, wallet, Reason.CANCEL_REFUND)
        entry.status = EntryStatus.REFUNDED
        entry.unregistered_at = now
        entry.save(update_fields=["status", "unregistered_at"])
        private.append(("PLAYER", entry.user_id, "TOURNAMENT_UNREGISTER", {
            "tournament_id": str(tournament.pk), "reason": "cancelled",
            "registrations": snapshots.player_registrations(entry.user),
            "balance": wallet.balance, "change": entry.buy_in + entry.fee,
        }))
    tournament.status = TournamentStatus.CANCELLED
    tournament.finished_at = now
    tournament.save(update_fields=["status", "finished_at"])
    ended = {"results": [], "cancelled": True, **standing(tournament)}
    emit_many([("TOURNAMENT", tournament.pk, "TOURNAMENT_END", ended), *private])
    lobby_rows.mark(tournament)
    return tournament


def start_timer(tournament_id: int) -> str:
    return f"tournament:{tournament_id}:start"


def arm_start(tournament: Tournament) -> None:
    """A scheduled tournament starts (or is cancelled, short of players) at ``starts_at``."""
    if tournament.kind == TournamentKind.SCHEDULED and tournament.starts_at is not None:
        schedule(start_timer(tournament.pk), "tournament.start", tournament.starts_at,
                 {"tournament_id": tournament.pk})
    else:
        cancel(start_timer(tournament.pk))


def refund(tournament: Tournament, entry: Any, wallet: Any, reason: str) -> None:
    """Give an entry's buy-in (from the pool) and fee (from the house) back to ``wallet``."""
    memo = f"tournament {tournament.pk} entry {entry.pk}"
    if entry.buy_in:
        do_transfer(pool_account(tournament), wallet, entry.buy_in, reason, memo=memo)
    if entry.fee:
        do_transfer(house_account(), wallet, entry.fee, reason, memo=memo)


def check_tournament(tournament: Tournament) -> None:
    """The tournament as it would be saved; VALIDATION naming each field that does not fit."""
    try:
        tournament.full_clean()
    except DjangoValidationError as error:
        raise errors.Validation(details=error.message_dict) from None
    found: dict[str, list[str]] = {}
    if tournament.kind == TournamentKind.SCHEDULED and tournament.starts_at is None:
        found["starts_at"] = ["A scheduled tournament needs its start time."]
    if tournament.kind == TournamentKind.SIT_AND_GO and tournament.starts_at is not None:
        found["starts_at"] = ["A sit-and-go starts when full, not at a time."]
    levels = tournament.structure.levels.count()
    if tournament.late_registration_levels > levels:
        found["late_registration_levels"] = [f"The structure has {levels} levels."]
    shares = tournament.payout_percentages
    if shares and not _valid_shares(shares, tournament.min_players):
        found["payout_percentages"] = [
            f"Whole percentages above 0, first place down, adding up to 100, "
            f"for at most {tournament.min_players} places (min_players)."]
    if found:
        raise errors.Validation(details=found)


def _valid_shares(shares: Any, places: int) -> bool:
    if not isinstance(shares, list) or not all(isinstance(s, int) and not isinstance(s, bool) for s in shares):
        return False
    ordered = all(a >= b for a, b in pairwise(shares))
    return ordered and all(s > 0 for s in shares) and sum(shares) == 100 and len(shares) <= places


def _check_names(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise errors.Validation(details={name: ["Not a tournament setting."] for name in unknown})


def _structure(structure: BlindStructure | str) -> BlindStructure:
    return structure if isinstance(structure, BlindStructure) else structure_named(structure)
