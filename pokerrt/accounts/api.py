"""REST endpoints of accounts: register, token, me. Views stay thin."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .actions import do_create_user, wallet_of
from .errors import UsernameTaken
from .models import Account, LedgerEntry, Reason
from .serializers import RegisterSerializer, TokenRequestSerializer
from .throttles import count_log_in, count_sign_up

_registered = inline_serializer(
    "Registered",
    {"id": serializers.IntegerField(), "username": serializers.CharField(), "token": serializers.CharField()},
)


class RegisterView(APIView):
    """``POST /api/auth/register/`` -> 201 ``{id, username, token}``."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(request=RegisterSerializer, responses={201: _registered})
    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = count_sign_up(request)
        if attempt.wait:
            raise Throttled(attempt.wait, "Too many accounts created from this address.")
        try:
            with transaction.atomic():
                user = do_create_user(**serializer.validated_data)
                token = Token.objects.create(user=user)
        except UsernameTaken:
            # A VALIDATION naming the field: the exception handler answers it.
            attempt.give_back()
            raise
        return Response(
            {"id": user.pk, "username": user.get_username(), "token": token.key},
            status=status.HTTP_201_CREATED,
        )


class TokenView(APIView):
    """``POST /api/auth/token/`` ``{username, password}`` -> ``{token}``."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenOut", {"token": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        username = request.data.get("username") if isinstance(request.data, dict) else None
        attempt = count_log_in(request, username if isinstance(username, str) else "")
        if attempt.wait:
            raise Throttled(attempt.wait, "Too many failed log-ins for this username or from this address.")
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        attempt.succeeded()
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class MeView(APIView):
    """``GET /api/me/`` -> ``{id, username, balance}`` (token or session)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: inline_serializer(
                "Me",
                {
                    "id": serializers.IntegerField(),
                    "username": serializers.CharField(),
                    "balance": serializers.IntegerField(),
                    "is_staff": serializers.BooleanField(),
                },
            )
        }
    )
    def get(self, request: Request) -> Response:
        user = request.user
        return Response(
            {
                "id": user.pk,
                "username": user.get_username(),
                "balance": wallet_of(user).balance,
                "is_staff": user.is_staff,
            }
        )


class LedgerRowSerializer(serializers.Serializer):
    """One movement of the requester's chips, signed from their wallet's side."""

    id = serializers.CharField(source="pk")
    created_at = serializers.DateTimeField()
    reason = serializers.ChoiceField(choices=Reason.choices)
    amount = serializers.SerializerMethodField(help_text="Positive into the wallet, negative out of it.")
    counterparty = serializers.SerializerMethodField(help_text='The other account: "table:17", "pool:3", "mint".')
    memo = serializers.CharField()

    def get_amount(self, entry: LedgerEntry) -> int:
        return entry.amount if entry.destination_id == self.context["wallet"].pk else -entry.amount

    def get_counterparty(self, entry: LedgerEntry) -> str:
        other = entry.source if entry.destination_id == self.context["wallet"].pk else entry.destination
        return str(other)


class MyLedgerView(generics.ListAPIView):
    """``GET /api/me/ledger/``: every movement of the requester's wallet, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = LedgerRowSerializer
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[LedgerEntry]:
        wallet = self.wallet()
        return (LedgerEntry.objects.filter(Q(source=wallet) | Q(destination=wallet))
                .select_related("source", "destination").order_by("-id"))

    def wallet(self) -> Account:
        if not hasattr(self, "_wallet"):
            self._wallet = wallet_of(self.request.user)
        return self._wallet

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        return {**context, "wallet": self.wallet()}
