"""Lobbies over REST: the list, one lobby as its LOBBY snapshot, and staff's create, update, delete.

Writes run the actions of the LOBBY_CREATE, LOBBY_UPDATE and LOBBY_DELETE
commands with the commands' own serializers, so a REST client is checked,
refused and journaled exactly as a socket client. Presence (LOBBY_JOIN) is
a socket's, so it has no REST form.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from pokerrt import errors
from pokerrt.rest import ApiView, IsStaffOrReadOnly

from . import actions
from .commands import CreateLobbySerializer, UpdateLobbySerializer
from .models import Lobby
from .snapshots import lobby_info, lobby_snapshot


class LobbySerializer(serializers.Serializer):
    """A lobby's own fields: ``lobby`` of every LOBBY event."""

    id = serializers.CharField(source="pk", read_only=True)
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)


class TableRowSerializer(serializers.Serializer):
    """One table row of a lobby's directory (docs/lobby.md)."""

    id = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    max_seats = serializers.IntegerField()
    players = serializers.IntegerField()
    small_blind = serializers.IntegerField()
    big_blind = serializers.IntegerField()
    ante = serializers.IntegerField()
    min_buy_in = serializers.IntegerField()
    max_buy_in = serializers.IntegerField()
    status = serializers.CharField()
    waiting = serializers.IntegerField()
    hands_per_hour = serializers.IntegerField()
    average_pot = serializers.IntegerField()


class TournamentRowSerializer(serializers.Serializer):
    """One tournament row of a lobby's directory (docs/lobby.md)."""

    id = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    registered = serializers.IntegerField()
    max_players = serializers.IntegerField()
    buy_in = serializers.IntegerField()
    fee = serializers.IntegerField()
    prize_pool = serializers.IntegerField()
    starts_at = serializers.CharField(allow_null=True)
    level = serializers.IntegerField(allow_null=True)


class UserRefSerializer(serializers.Serializer):
    """A user as every event names one."""

    id = serializers.CharField()
    username = serializers.CharField()


class LobbySnapshotSerializer(serializers.Serializer):
    """The LOBBY stream's snapshot (PROTOCOL.md section 6, Lobby)."""

    lobby = LobbySerializer()
    tables = TableRowSerializer(many=True)
    tournaments = TournamentRowSerializer(many=True)
    members = UserRefSerializer(many=True)


class LobbyListView(generics.ListAPIView):
    """``GET /api/lobbies/``: the live lobbies; ``POST`` (staff) creates one (LOBBY_CREATE)."""

    permission_classes = [IsStaffOrReadOnly]
    serializer_class = LobbySerializer
    ordering_fields = ["id", "name"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[Lobby]:
        return Lobby.objects.live()

    @extend_schema(request=CreateLobbySerializer, responses={201: LobbySerializer})
    def post(self, request: Request) -> Response:
        data = CreateLobbySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lobby = actions.do_create_lobby(data.validated_data["name"], data.validated_data.get("description", ""))
        return Response(lobby_info(lobby), status=status.HTTP_201_CREATED)


class LobbyDetailView(ApiView):
    """``/api/lobbies/{id}/``: its snapshot; staff ``PATCH`` (LOBBY_UPDATE) and ``DELETE`` (LOBBY_DELETE)."""

    permission_classes = [IsStaffOrReadOnly]

    @extend_schema(responses={200: LobbySnapshotSerializer})
    def get(self, request: Request, lobby_id: str) -> Response:
        if not Lobby.objects.live().filter(pk=int(lobby_id)).exists():
            raise errors.NotFound(f"No lobby {lobby_id}.")
        return Response(lobby_snapshot(lobby_id))

    @extend_schema(request=UpdateLobbySerializer, responses={200: LobbySerializer})
    def patch(self, request: Request, lobby_id: str) -> Response:
        data = UpdateLobbySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lobby = actions.do_update_lobby(lobby_id, **data.validated_data)
        return Response(lobby_info(lobby))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, lobby_id: str) -> Response:
        actions.do_delete_lobby(lobby_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
