"""The public state of TOURNAMENT streams, and the registrations section of a PLAYER stream.

The pieces (``tournament_info``, ``structure_levels``, ``payout_list``,
``player_info``) are what the events carry too, so a client applying the
events builds the very snapshot a fresh subscriber gets.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from pokerrt.accounts.models import user_ref
from pokerrt.realtime.envelope import format_timestamp

from .models import CURRENT, BlindStructure, Entry, EntryStatus, Tournament
from .payouts import payouts
from .structures import Level


def moment(value: Any) -> str | None:
    """RFC 3339 with milliseconds, or None."""
    return format_timestamp(value) if value is not None else None


_time = moment


def tournament_info(tournament: Tournament, registered: int, prize_pool: int) -> dict[str, Any]:
    """A tournament's settings and standing, as TOURNAMENT_CREATE/UPDATE and the snapshot carry them."""
    return {
        "id": str(tournament.pk), "name": tournament.name, "lobby_id": str(tournament.lobby_id),
        "kind": tournament.kind, "status": tournament.status,
        "buy_in": tournament.buy_in, "fee": tournament.fee, "starting_stack": tournament.starting_stack,
        "table_size": tournament.table_size, "min_players": tournament.min_players,
        "max_players": tournament.max_players, "starts_at": _time(tournament.starts_at),
        "late_registration_levels": tournament.late_registration_levels,
        "structure": tournament.structure.name, "payout_structure": tournament.payout_structure,
        "payout_percentages": list(tournament.payout_percentages),
        "registered": registered, "prize_pool": prize_pool, "level": tournament.level,
        "on_break": tournament.on_break,
        "started_at": _time(tournament.started_at), "finished_at": _time(tournament.finished_at),
    }


def structure_levels(structure: BlindStructure) -> list[dict[str, Any]]:
    """The structure's levels in order, each ``{level, small_blind, big_blind, ante, ...}``."""
    return [
        Level(row.small_blind, row.big_blind, row.ante, row.big_blind_ante, row.minutes,
              row.break_minutes).as_dict(row.number)
        for row in structure.levels.order_by("number")
    ]


def payout_list(tournament: Tournament, entrants: int, prize_pool: int) -> list[dict[str, int]]:
    """What each paid place wins with the field as it stands: ``[{position, prize}]``."""
    amounts = payouts(prize_pool, entrants, tournament.payout_structure, tournament.payout_percentages)
    return [{"position": place, "prize": prize} for place, prize in enumerate(amounts, start=1)]


def player_info(entry: Entry) -> dict[str, Any]:
    """One entry as every subscriber sees it; ``position`` is the finishing place once out."""
    return {
        "user": user_ref(entry.user), "status": entry.status, "chips": entry.chips,
        "table_id": str(entry.table_id) if entry.table_id is not None else None,
        "position": entry.finish_position,
    }


def tournament_snapshot(tournament_id: str, user: Any = None) -> dict[str, Any]:
    """The whole public state of a tournament (PROTOCOL.md section 6, Tournament).

    ``players`` lists the live entries in the order they registered;
    ``tables`` is empty until the start seats them; ``players`` carry the
    chips as of the last hand ended (entries follow their seats after each).
    """
    tournament = Tournament.objects.select_related("structure").get(pk=int(tournament_id))
    registered, prize_pool = tournament.field()
    entries = tournament.live_entries().select_related("user").order_by("id")
    return {
        "tournament": tournament_info(tournament, registered, prize_pool),
        "structure": structure_levels(tournament.structure),
        "level": tournament.level,
        "next_level_at": _time(tournament.period_ends_at),
        "on_break": tournament.on_break,
        "players": [player_info(entry) for entry in entries],
        "tables": table_list(tournament),
        "payouts": payout_list(tournament, registered, prize_pool),
    }


def table_list(tournament: Tournament) -> list[dict[str, Any]]:
    """The tables in play, ``[{table_id, players}]`` by id: the players seated at each (entries playing there)."""
    counts = (tournament.live_entries().filter(status=EntryStatus.PLAYING, table__isnull=False)
              .values("table_id").annotate(players=Count("id")).order_by("table_id"))
    return [{"table_id": str(row["table_id"]), "players": row["players"]} for row in counts]


def tournament_exists(tournament_id: str) -> bool:
    return tournament_id.isdigit() and Tournament.objects.filter(pk=int(tournament_id)).exists()


def player_registrations(user: Any) -> list[dict[str, Any]]:
    """The tournaments the user is in (registered or playing), for their own PLAYER stream."""
    entries = Entry.objects.filter(user=user, status__in=CURRENT).order_by("tournament_id")
    return [
        {"tournament_id": str(entry.tournament_id), "status": entry.status,
         "table_id": str(entry.table_id) if entry.table_id is not None else None}
        for entry in entries
    ]
