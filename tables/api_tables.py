"""Tables over REST: the list (filtered by lobby, kind, status, stakes), one table as its TABLE snapshot,
taking and leaving a seat, and staff's create, update and close.

Every write runs the action of the socket command that does the same
(TABLE_JOIN, TABLE_LEAVE, TABLE_CREATE, TABLE_UPDATE, TABLE_DELETE) after the
command's own serializer, so the checks, refusals, events and chips are the
socket's. Joining a tournament table is the tournament's business: its
policy refuses it here as it does over the socket.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from lobby.models import Lobby
from pokerrt import errors
from pokerrt.rest import ApiView, IsStaffOrReadOnly

from . import actions
from .commands import MAX_CHIPS, CreateTableSerializer, JoinSerializer, UpdateTableSerializer
from .models import Table, TableKind, TableStatus
from .snapshots import seat_info, table_info, table_snapshot


class TableSerializer(serializers.Serializer):
    """A table's settings and status: ``table`` of every TABLE event, with the players seated."""

    id = serializers.CharField(source="pk", read_only=True)
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=TableKind.choices)
    lobby_id = serializers.CharField()
    max_seats = serializers.IntegerField()
    small_blind = serializers.IntegerField()
    big_blind = serializers.IntegerField()
    ante = serializers.IntegerField()
    min_buy_in = serializers.IntegerField()
    max_buy_in = serializers.IntegerField()
    action_seconds = serializers.IntegerField()
    time_bank_seconds = serializers.IntegerField()
    status = serializers.ChoiceField(choices=TableStatus.choices)
    players = serializers.IntegerField(help_text="Seats taken.")


class TableInfoSerializer(TableSerializer):
    """``table`` as TABLE events carry it."""

    players = None  # type: ignore[assignment]


class SeatSerializer(serializers.Serializer):
    seat = serializers.IntegerField()
    user = serializers.DictField(child=serializers.CharField(), allow_null=True, help_text="{id, username}")
    stack = serializers.IntegerField()
    status = serializers.CharField()
    bet = serializers.IntegerField()
    in_hand = serializers.BooleanField()
    disconnected = serializers.BooleanField()
    leaving = serializers.BooleanField()


class TableSnapshotSerializer(serializers.Serializer):
    """The TABLE stream's snapshot (PROTOCOL.md section 6, Table): never a hole card."""

    table = TableInfoSerializer()
    seats = SeatSerializer(many=True)
    hand = serializers.DictField(allow_null=True, help_text="The hand in play: hand_id, hand_no, button, street, "
                                                            "board, pots, to_act, deck_commitment; or null.")


class TableFilter(django_filters.FilterSet):
    """``?lobby=&kind=&status=&small_blind=&big_blind=&stakes=5/10&min_big_blind=&max_big_blind=``."""

    lobby = django_filters.NumberFilter(field_name="lobby_id", min_value=1, max_value=2**63 - 1)
    kind = django_filters.ChoiceFilter(choices=TableKind.choices)
    status = django_filters.ChoiceFilter(choices=TableStatus.choices,
                                         help_text="Closed tables are listed only when asked for.")
    small_blind = django_filters.NumberFilter(min_value=0, max_value=MAX_CHIPS)
    big_blind = django_filters.NumberFilter(min_value=0, max_value=MAX_CHIPS)
    min_big_blind = django_filters.NumberFilter(field_name="big_blind", lookup_expr="gte", min_value=0,
                                                max_value=MAX_CHIPS)
    max_big_blind = django_filters.NumberFilter(field_name="big_blind", lookup_expr="lte", min_value=0,
                                                max_value=MAX_CHIPS)
    stakes = django_filters.CharFilter(method="filter_stakes", help_text='The blinds as "small/big": "5/10".')

    class Meta:
        model = Table
        fields: list[str] = []

    def filter_stakes(self, queryset: QuerySet[Table], name: str, value: str) -> QuerySet[Table]:
        small, _, big = value.partition("/")
        if not (small.isascii() and small.isdigit() and big.isascii() and big.isdigit()) \
                or max(len(small), len(big)) > 13:
            raise errors.Validation(details={"stakes": ['The blinds as "small/big": "5/10".']})
        return queryset.filter(small_blind=int(small), big_blind=int(big))


class TableListView(generics.ListAPIView):
    """``GET /api/tables/``: tables, open ones unless ``status`` says otherwise; ``POST`` (staff): TABLE_CREATE."""

    permission_classes = [IsStaffOrReadOnly]
    serializer_class = TableSerializer
    filterset_class = TableFilter
    ordering_fields = ["id", "name", "small_blind", "big_blind", "max_seats", "players", "created_at"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[Table]:
        tables = Table.objects.annotate(players=Count("seats", filter=Q(seats__user__isnull=False)))
        if "status" not in self.request.query_params:
            tables = tables.exclude(status=TableStatus.CLOSED)
        return tables

    @extend_schema(request=CreateTableSerializer, responses={201: TableInfoSerializer})
    def post(self, request: Request) -> Response:
        data = CreateTableSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        settings = dict(data.validated_data)
        lobby = Lobby.objects.live().filter(pk=settings.pop("lobby")).first()
        if lobby is None:
            raise errors.Validation(details={"lobby": ["No such lobby."]})
        table = actions.do_create_table(lobby, **settings)
        return Response(table_info(table), status=status.HTTP_201_CREATED)


def open_table(table_id: str) -> Table:
    """The table, unless it is closed: a closed table is gone, as for the socket."""
    table = Table.objects.filter(pk=int(table_id)).exclude(status=TableStatus.CLOSED).first()
    if table is None:
        raise errors.NotFound(f"No table {table_id}.")
    return table


class TableDetailView(ApiView):
    """``/api/tables/{id}/``: its snapshot; staff ``PATCH`` (TABLE_UPDATE) and ``DELETE``, which closes it."""

    permission_classes = [IsStaffOrReadOnly]

    @extend_schema(responses={200: TableSnapshotSerializer})
    def get(self, request: Request, table_id: str) -> Response:
        open_table(table_id)
        return Response(table_snapshot(table_id))

    @extend_schema(request=UpdateTableSerializer, responses={200: TableInfoSerializer})
    def patch(self, request: Request, table_id: str) -> Response:
        data = UpdateTableSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        open_table(table_id)
        return Response(table_info(actions.do_update_table(table_id, **data.validated_data)))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, table_id: str) -> Response:
        open_table(table_id)
        actions.do_delete_table(table_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TableSeatView(ApiView):
    """``/api/tables/{id}/seat/``: the requester's seat. ``POST {buy_in, seat?}`` sits down (TABLE_JOIN);
    ``DELETE`` stands up (TABLE_LEAVE), when the hand in play ends if dealt into it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=JoinSerializer, responses={201: SeatSerializer})
    def post(self, request: Request, table_id: str) -> Response:
        data = JoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        open_table(table_id)
        seat = actions.do_join_table(request.user, table_id, data.validated_data["buy_in"],
                                     data.validated_data.get("seat"))
        return Response(seat_info(seat, None), status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: SeatSerializer})
    def delete(self, request: Request, table_id: str) -> Response:
        open_table(table_id)
        seat = actions.do_leave_table(request.user, table_id)
        seat.refresh_from_db()
        return Response(seat_info(seat, actions.live_hand(seat.table)))
