"""The WebSocket commands of TOURNAMENT streams: validator, permission, handler.

Besides the protocol's ``TOURNAMENT_REGISTER`` / ``TOURNAMENT_UNREGISTER``
(players) and ``TOURNAMENT_CREATE`` / ``TOURNAMENT_UPDATE`` (staff), staff
may send ``TOURNAMENT_CANCEL`` (target TOURNAMENT, no data): see
docs/tournaments.md.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from lobby.models import Lobby
from pokerrt import errors
from pokerrt.realtime.processor import register_command
from pokerrt.strict import StrictIntegerField, StrictSerializer

from . import actions
from .models import TournamentKind
from .payouts import PAYOUT_TABLES

# Far above any real buy-in or stack, far below what a database column overflows at.
MAX_CHIPS = 10**9


class EmptySerializer(StrictSerializer):
    """A command that takes no data."""


class TournamentSettingsSerializer(StrictSerializer):
    name = serializers.CharField(max_length=80)
    kind = serializers.ChoiceField(choices=TournamentKind.choices, required=False)
    buy_in = StrictIntegerField(min_value=0, max_value=MAX_CHIPS, required=False)
    fee = StrictIntegerField(min_value=0, max_value=MAX_CHIPS, required=False)
    starting_stack = StrictIntegerField(min_value=1, max_value=MAX_CHIPS, required=False)
    table_size = StrictIntegerField(min_value=2, max_value=10, required=False)
    min_players = StrictIntegerField(min_value=2, max_value=10_000, required=False)
    max_players = StrictIntegerField(min_value=2, max_value=10_000, required=False)
    # RFC 3339 with its offset; null for a sit-and-go.
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    late_registration_levels = StrictIntegerField(min_value=0, max_value=100, required=False)
    # A blind structure by name: "turbo", "regular", or one staff made.
    structure = serializers.CharField(max_length=40, required=False)
    payout_structure = serializers.ChoiceField(choices=sorted(PAYOUT_TABLES), required=False)
    payout_percentages = serializers.ListField(child=StrictIntegerField(min_value=1, max_value=100),
                                               max_length=100, required=False)
    # Settings that must fit together are checked on the whole tournament,
    # stored values included, by actions.tournaments.check_tournament.


class CreateTournamentSerializer(TournamentSettingsSerializer):
    lobby = StrictIntegerField(min_value=1)


class UpdateTournamentSerializer(TournamentSettingsSerializer):
    name = serializers.CharField(max_length=80, required=False)


def staff_only(user: Any, tournament_id: str | None) -> bool:
    return bool(user.is_staff)


def _need_id(tournament_id: str | None) -> str:
    if tournament_id is None:
        raise errors.Validation("This command needs the tournament's id.", details={"id": ["Required."]})
    return tournament_id


def _create(user: Any, tournament_id: str | None, data: dict[str, Any]) -> dict[str, Any]:
    lobby = Lobby.objects.filter(pk=data.pop("lobby")).first()
    if lobby is None:
        raise errors.NotFound("No such lobby.")
    tournament = actions.do_create_tournament(lobby, **data)
    return {"tournament_id": str(tournament.pk)}


def _update(user: Any, tournament_id: str | None, data: dict[str, Any]) -> None:
    actions.do_update_tournament(_need_id(tournament_id), **data)


def _cancel(user: Any, tournament_id: str | None, data: dict[str, Any]) -> None:
    actions.do_cancel_tournament(_need_id(tournament_id))


def _start(user: Any, tournament_id: str | None, data: dict[str, Any]) -> None:
    actions.do_start_tournament(_need_id(tournament_id))


def _pause(user: Any, tournament_id: str | None, data: dict[str, Any]) -> None:
    actions.do_pause(_need_id(tournament_id))


def _resume(user: Any, tournament_id: str | None, data: dict[str, Any]) -> None:
    actions.do_resume(_need_id(tournament_id))


def _register(user: Any, tournament_id: str | None, data: dict[str, Any]) -> None:
    actions.do_register(user, _need_id(tournament_id))


def _unregister(user: Any, tournament_id: str | None, data: dict[str, Any]) -> None:
    actions.do_unregister(user, _need_id(tournament_id))


def register() -> None:
    """The commands clients may send to TOURNAMENT streams; TournamentConfig.ready() calls it."""
    register_command("TOURNAMENT_REGISTER", "TOURNAMENT", serializer=EmptySerializer, permission=None,
                     handler=_register)
    register_command("TOURNAMENT_UNREGISTER", "TOURNAMENT", serializer=EmptySerializer, permission=None,
                     handler=_unregister)
    register_command("TOURNAMENT_CREATE", "TOURNAMENT", serializer=CreateTournamentSerializer,
                     permission=staff_only, handler=_create)
    register_command("TOURNAMENT_UPDATE", "TOURNAMENT", serializer=UpdateTournamentSerializer,
                     permission=staff_only, handler=_update)
    register_command("TOURNAMENT_CANCEL", "TOURNAMENT", serializer=EmptySerializer, permission=staff_only,
                     handler=_cancel)
    for name, handler in (("TOURNAMENT_START", _start), ("TOURNAMENT_PAUSE", _pause),
                          ("TOURNAMENT_RESUME", _resume)):
        register_command(name, "TOURNAMENT", serializer=EmptySerializer, permission=staff_only, handler=handler)
