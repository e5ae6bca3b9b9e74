"""A lobby's tournament rows: the summaries its LOBBY stream lists and keeps live.

The lobby's directory (lobby/directory.py) registers these two functions as
its ``tournaments`` section: :func:`tournament_rows` fills a lobby's
snapshot, :func:`tournament_row` re-reads one row once the tournament's
actions mark it changed. A lobby lists the tournaments still to be played or
in play; finished and cancelled ones leave it (their row is ``None``).
"""

from __future__ import annotations

from typing import Any

from lobby.directory import mark_changed
from pokerrt.realtime.envelope import format_timestamp

from .models import Tournament, TournamentStatus

# The statuses a lobby lists.
LISTED = (TournamentStatus.REGISTERING, TournamentStatus.RUNNING, TournamentStatus.PAUSED)


def mark(tournament: Tournament) -> None:
    """The tournament's lobby row changed: it goes out with the lobby's next LOBBY_UPDATE (call inside the change's transaction)."""
    mark_changed(tournament.lobby_id, "tournaments", str(tournament.pk))


def row_of(tournament: Tournament) -> dict[str, Any]:
    """One row; ``tournament`` annotated by ``Tournament.objects.with_field()``."""
    return {
        "id": str(tournament.pk), "name": tournament.name, "kind": tournament.kind,
        "status": tournament.status, "registered": tournament.registered_count,
        "max_players": tournament.max_players, "buy_in": tournament.buy_in, "fee": tournament.fee,
        "prize_pool": tournament.pool_total,
        "starts_at": format_timestamp(tournament.starts_at) if tournament.starts_at else None,
        "level": tournament.level or None,  # 0 until the start: null for clients
    }


def tournament_rows(lobby_id: int) -> list[dict[str, Any]]:
    """The rows of every tournament the lobby lists, in creation order."""
    listed = Tournament.objects.with_field().filter(lobby_id=lobby_id, status__in=LISTED).order_by("id")
    return [row_of(tournament) for tournament in listed]


def tournament_row(tournament_id: str) -> tuple[int | None, dict[str, Any] | None]:
    """(the lobby, the row) of one tournament; the row is None once the lobby no longer lists it.

    (None, None) when there is no such tournament.
    """
    if not str(tournament_id).isdigit():
        return None, None
    tournament = Tournament.objects.with_field().filter(pk=int(tournament_id)).first()
    if tournament is None:
        return None, None
    return tournament.lobby_id, row_of(tournament) if tournament.status in LISTED else None
