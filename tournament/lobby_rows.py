"""The tournaments' rows in the lobby's directory (``lobby.directory``), registered in TournamentConfig.ready().

Registrations, fees and levels are not modelled yet on this branch: a row
counts no one registered, charges no fee and shows no level until they are.
"""

from __future__ import annotations

from typing import Any

from lobby.directory import mark_changed
from pokerrt.realtime.envelope import format_timestamp

from .models import Tournament, TournamentStatus

# A finished or cancelled tournament leaves the lobby's directory.
LISTED = (TournamentStatus.REGISTERING, TournamentStatus.RUNNING)


def mark(tournament: Tournament) -> None:
    """The tournament's lobby row changed: it goes out with the lobby's next LOBBY_UPDATE."""
    mark_changed(tournament.lobby_id, "tournaments", str(tournament.pk))


def rows_of_lobby(lobby_id: int) -> list[dict[str, Any]]:
    return [_row(t) for t in Tournament.objects.filter(lobby_id=lobby_id, status__in=LISTED)]


def row_of_item(tournament_id: str) -> tuple[int | None, dict[str, Any] | None]:
    tournament = Tournament.objects.filter(pk=int(tournament_id)).first()
    if tournament is None:
        return None, None
    if tournament.status not in LISTED:
        return tournament.lobby_id, None
    return tournament.lobby_id, _row(tournament)


def _row(tournament: Tournament) -> dict[str, Any]:
    registered = 0
    return {
        "id": str(tournament.pk), "name": tournament.name, "kind": tournament.kind,
        "status": tournament.status, "registered": registered, "max_players": tournament.max_players,
        "buy_in": tournament.buy_in, "fee": 0, "prize_pool": registered * tournament.buy_in,
        "starts_at": format_timestamp(tournament.starts_at) if tournament.starts_at else None,
        "level": None,
    }
