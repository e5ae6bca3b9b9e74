"""Tournaments over REST: the list, one tournament as its TOURNAMENT snapshot (structure, players, payouts),
registering, staff's create, update, cancel, start, pause and resume; and the blind structures.

Every write runs the action of the socket command that does the same
(TOURNAMENT_REGISTER, TOURNAMENT_CREATE, ...) after the command's own
serializer, so a REST client is checked, refused and journaled as a socket
client is. Blind structures have no stream: their actions journal nothing.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from lobby.api import UserRefSerializer
from lobby.models import Lobby
from pokerrt import errors
from pokerrt.rest import ApiView, IsStaff, IsStaffOrReadOnly
from pokerrt.strict import StrictIntegerField, StrictSerializer

from . import actions, snapshots
from .commands import CreateTournamentSerializer, UpdateTournamentSerializer
from .models import BlindStructure, Tournament, TournamentKind, TournamentStatus
from .structures import MAX_CHIPS, MAX_MINUTES, Level


class TournamentSerializer(serializers.Serializer):
    """``tournament`` of TOURNAMENT_CREATE / TOURNAMENT_UPDATE and of the snapshot."""

    id = serializers.CharField()
    name = serializers.CharField()
    lobby_id = serializers.CharField()
    kind = serializers.ChoiceField(choices=TournamentKind.choices)
    status = serializers.ChoiceField(choices=TournamentStatus.choices)
    buy_in = serializers.IntegerField()
    fee = serializers.IntegerField()
    starting_stack = serializers.IntegerField()
    table_size = serializers.IntegerField()
    min_players = serializers.IntegerField()
    max_players = serializers.IntegerField()
    starts_at = serializers.CharField(allow_null=True, help_text="RFC 3339 UTC; null for a sit-and-go.")
    late_registration_levels = serializers.IntegerField()
    structure = serializers.CharField(help_text="The blind structure's name.")
    payout_structure = serializers.CharField()
    payout_percentages = serializers.ListField(child=serializers.IntegerField())
    registered = serializers.IntegerField()
    prize_pool = serializers.IntegerField()
    level = serializers.IntegerField(help_text="0 before the start.")
    on_break = serializers.BooleanField()
    started_at = serializers.CharField(allow_null=True)
    finished_at = serializers.CharField(allow_null=True)

    def to_representation(self, instance: Tournament) -> dict[str, Any]:
        # Rows of the list come annotated (Tournament.objects.with_field()).
        return snapshots.tournament_info(instance, instance.registered_count, instance.pool_total)


class LevelSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    small_blind = serializers.IntegerField()
    big_blind = serializers.IntegerField()
    ante = serializers.IntegerField()
    big_blind_ante = serializers.BooleanField()
    minutes = serializers.IntegerField()
    break_minutes = serializers.IntegerField()


class PlayerSerializer(serializers.Serializer):
    user = UserRefSerializer()
    status = serializers.CharField()
    chips = serializers.IntegerField()
    table_id = serializers.CharField(allow_null=True)
    position = serializers.IntegerField(allow_null=True, help_text="The finishing place once out.")


class TournamentTableSerializer(serializers.Serializer):
    table_id = serializers.CharField()
    players = serializers.IntegerField()


class PayoutSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    prize = serializers.IntegerField()


class TournamentSnapshotSerializer(serializers.Serializer):
    """The TOURNAMENT stream's snapshot (PROTOCOL.md section 6, Tournament)."""

    tournament = TournamentSerializer()
    structure = LevelSerializer(many=True)
    level = serializers.IntegerField()
    next_level_at = serializers.CharField(allow_null=True)
    on_break = serializers.BooleanField()
    players = PlayerSerializer(many=True, help_text="The entries: registered, playing, eliminated.")
    tables = TournamentTableSerializer(many=True)
    payouts = PayoutSerializer(many=True, help_text="What each paid place wins with the field as it stands.")


class RegistrationSerializer(serializers.Serializer):
    """The requester's place: ``registrations`` of their PLAYER stream, one row."""

    tournament_id = serializers.CharField()
    status = serializers.CharField()
    table_id = serializers.CharField(allow_null=True)


class TournamentFilter(django_filters.FilterSet):
    """``?lobby=&kind=&status=&min_buy_in=&max_buy_in=``."""

    lobby = django_filters.NumberFilter(field_name="lobby_id", min_value=1, max_value=2**63 - 1)
    kind = django_filters.ChoiceFilter(choices=TournamentKind.choices)
    status = django_filters.ChoiceFilter(choices=TournamentStatus.choices)
    buy_in = django_filters.NumberFilter(min_value=0, max_value=MAX_CHIPS)
    min_buy_in = django_filters.NumberFilter(field_name="buy_in", lookup_expr="gte", min_value=0,
                                             max_value=MAX_CHIPS)
    max_buy_in = django_filters.NumberFilter(field_name="buy_in", lookup_expr="lte", min_value=0,
                                             max_value=MAX_CHIPS)

    class Meta:
        model = Tournament
        fields: list[str] = []


def info(tournament: Tournament) -> dict[str, Any]:
    registered, prize_pool = tournament.field()
    return snapshots.tournament_info(tournament, registered, prize_pool)


def existing(tournament_id: str) -> Tournament:
    tournament = Tournament.objects.filter(pk=int(tournament_id)).first()
    if tournament is None:
        raise errors.NotFound(f"No tournament {tournament_id}.")
    return tournament


class TournamentListView(generics.ListAPIView):
    """``GET /api/tournaments/``; ``POST`` (staff): TOURNAMENT_CREATE."""

    permission_classes = [IsStaffOrReadOnly]
    serializer_class = TournamentSerializer
    filterset_class = TournamentFilter
    ordering_fields = ["id", "name", "buy_in", "starts_at", "created_at", "max_players"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[Tournament]:
        return Tournament.objects.with_field().select_related("structure")

    @extend_schema(request=CreateTournamentSerializer, responses={201: TournamentSerializer})
    def post(self, request: Request) -> Response:
        data = CreateTournamentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        settings = dict(data.validated_data)
        lobby = Lobby.objects.live().filter(pk=settings.pop("lobby")).first()
        if lobby is None:
            raise errors.Validation(details={"lobby": ["No such lobby."]})
        tournament = actions.do_create_tournament(lobby, **settings)
        return Response(info(tournament), status=status.HTTP_201_CREATED)


class TournamentDetailView(ApiView):
    """``/api/tournaments/{id}/``: its snapshot; staff ``PATCH`` (TOURNAMENT_UPDATE) and ``DELETE``, which
    cancels it and refunds every entry (TOURNAMENT_CANCEL)."""

    permission_classes = [IsStaffOrReadOnly]

    @extend_schema(responses={200: TournamentSnapshotSerializer})
    def get(self, request: Request, tournament_id: str) -> Response:
        existing(tournament_id)
        return Response(snapshots.tournament_snapshot(tournament_id))

    @extend_schema(request=UpdateTournamentSerializer, responses={200: TournamentSerializer})
    def patch(self, request: Request, tournament_id: str) -> Response:
        data = UpdateTournamentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        existing(tournament_id)
        return Response(info(actions.do_update_tournament(tournament_id, **data.validated_data)))

    @extend_schema(responses={200: TournamentSerializer})
    def delete(self, request: Request, tournament_id: str) -> Response:
        existing(tournament_id)
        return Response(info(actions.do_cancel_tournament(tournament_id)))


class _StaffCommandView(ApiView):
    """``POST`` with no body: one of staff's tournament commands."""

    permission_classes = [IsStaff]
    command: Any = None

    @extend_schema(request=None, responses={200: TournamentSerializer})
    def post(self, request: Request, tournament_id: str) -> Response:
        existing(tournament_id)
        return Response(info(type(self).command(tournament_id)))


class TournamentStartView(_StaffCommandView):
    """``POST /api/tournaments/{id}/start/`` (staff): TOURNAMENT_START now, seating everyone registered."""

    command = staticmethod(actions.do_start_tournament)


class TournamentPauseView(_StaffCommandView):
    """``POST /api/tournaments/{id}/pause/`` (staff): stop the clock; tables deal no new hand."""

    command = staticmethod(actions.do_pause)


class TournamentResumeView(_StaffCommandView):
    """``POST /api/tournaments/{id}/resume/`` (staff): start the clock again where it stopped."""

    command = staticmethod(actions.do_resume)


class RegistrationView(ApiView):
    """``/api/tournaments/{id}/registration/``: ``POST`` registers the requester (buy-in and fee from the
    wallet), ``DELETE`` unregisters before the start (refunded)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: RegistrationSerializer})
    def post(self, request: Request, tournament_id: str) -> Response:
        existing(tournament_id)
        entry = actions.do_register(request.user, tournament_id)
        entry.refresh_from_db()
        return Response(_registration(entry), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RegistrationSerializer})
    def delete(self, request: Request, tournament_id: str) -> Response:
        existing(tournament_id)
        return Response(_registration(actions.do_unregister(request.user, tournament_id)))


def _registration(entry: Any) -> dict[str, Any]:
    return {"tournament_id": str(entry.tournament_id), "status": entry.status,
            "table_id": str(entry.table_id) if entry.table_id is not None else None}


class MyRegistrationsView(ApiView):
    """``GET /api/me/registrations/``: the tournaments the requester is in (registered or playing)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: RegistrationSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(snapshots.player_registrations(request.user))


# --- Blind structures --------------------------------------------------------------------------


class LevelInSerializer(StrictSerializer):
    small_blind = StrictIntegerField(min_value=1, max_value=MAX_CHIPS)
    big_blind = StrictIntegerField(min_value=1, max_value=MAX_CHIPS)
    ante = StrictIntegerField(min_value=0, max_value=MAX_CHIPS, required=False)
    big_blind_ante = serializers.BooleanField(required=False)
    minutes = StrictIntegerField(min_value=1, max_value=MAX_MINUTES)
    break_minutes = StrictIntegerField(min_value=0, max_value=MAX_MINUTES, required=False)


class StructureInSerializer(StrictSerializer):
    name = serializers.CharField(max_length=40)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    levels = serializers.ListField(child=LevelInSerializer(), min_length=1, max_length=200)


class StructureUpdateSerializer(StructureInSerializer):
    name = serializers.CharField(max_length=40, required=False)
    levels = serializers.ListField(child=LevelInSerializer(), min_length=1, max_length=200, required=False)


class StructureSerializer(serializers.Serializer):
    id = serializers.CharField(source="pk")
    name = serializers.CharField()
    description = serializers.CharField()
    levels = serializers.SerializerMethodField()

    @extend_schema_field(LevelSerializer(many=True))
    def get_levels(self, structure: BlindStructure) -> list[dict[str, Any]]:
        return snapshots.structure_levels(structure)


def _levels(rows: list[dict[str, Any]]) -> list[Level]:
    return [Level(**row) for row in rows]


class StructureListView(generics.ListAPIView):
    """``GET /api/structures/``: the blind structures tournaments may name; ``POST`` (staff) adds one."""

    permission_classes = [IsStaffOrReadOnly]
    serializer_class = StructureSerializer
    ordering_fields = ["id", "name"]
    ordering = ["id"]
    queryset = BlindStructure.objects.prefetch_related("levels")

    @extend_schema(request=StructureInSerializer, responses={201: StructureSerializer})
    def post(self, request: Request) -> Response:
        data = StructureInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        structure = actions.do_create_structure(given["name"], _levels(given["levels"]),
                                                given.get("description", ""))
        return Response(StructureSerializer(structure).data, status=status.HTTP_201_CREATED)


class StructureDetailView(ApiView):
    """``/api/structures/{id}/``; staff ``PATCH`` and ``DELETE`` while no tournament uses it."""

    permission_classes = [IsStaffOrReadOnly]

    @extend_schema(responses={200: StructureSerializer})
    def get(self, request: Request, structure_id: str) -> Response:
        structure = BlindStructure.objects.filter(pk=int(structure_id)).first()
        if structure is None:
            raise errors.NotFound(f"No blind structure {structure_id}.")
        return Response(StructureSerializer(structure).data)

    @extend_schema(request=StructureUpdateSerializer, responses={200: StructureSerializer})
    def patch(self, request: Request, structure_id: str) -> Response:
        data = StructureUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = dict(data.validated_data)
        if "levels" in given:
            given["levels"] = _levels(given["levels"])
        structure = actions.do_update_structure(structure_id, **given)
        return Response(StructureSerializer(structure).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, structure_id: str) -> Response:
        actions.do_delete_structure(structure_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
