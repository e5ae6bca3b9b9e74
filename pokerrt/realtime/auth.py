"""Who is on a socket: the Django session, or ``Authorization: Token <key>``.

A token header that names no token never falls back to anonymous: the scope
is marked and the consumer refuses the handshake (PROTOCOL.md section 1).
What authenticated a socket is checked again before each of its commands:
a user deactivated, a token deleted or a session logged out while the socket
is open must not act through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from channels import auth as channels_auth
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.sessions import CookieMiddleware, SessionMiddleware
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone


@database_sync_to_async
def user_for_token(key: str) -> Any:
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


def authorization_token(scope: dict[str, Any]) -> str | None:
    """The key of an ``Authorization: Token`` header; "" when the header is malformed."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, key = value.decode("latin1").strip().partition(" ")
            if scheme.lower() != "token":
                return ""
            return key.strip()
    return None


class TokenAuthMiddleware(BaseMiddleware):
    """Set ``scope["user"]`` from a token header, over what the session said."""

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        key = authorization_token(scope)
        if key is not None:
            scope = dict(scope)
            user = await user_for_token(key) if key else None
            if user is None:
                scope["auth_error"] = "invalid token"
            else:
                scope["user"] = user
                scope["auth_token"] = key
        return await super().__call__(scope, receive, send)


class SessionAuthMiddleware(channels_auth.AuthMiddleware):
    """Channels' session auth, without its trip to the sync thread for a socket that has no session."""

    async def resolve_scope(self, scope):  # type: ignore[no-untyped-def]
        # Every database call of a node waits its turn on one thread: in a
        # reconnect storm, thousands of cookieless clients (API clients,
        # spectators) each queued there only to be told they are anonymous.
        if scope["session"].session_key is None:
            scope["user"]._wrapped = AnonymousUser()
            return
        await super().resolve_scope(scope)


def RealtimeAuthStack(inner):  # type: ignore[no-untyped-def]
    """Session and cookies first, then the token header."""
    return CookieMiddleware(SessionMiddleware(SessionAuthMiddleware(TokenAuthMiddleware(inner))))


class CredentialRevoked(Exception):
    """The socket's user was deactivated, or its token or session is gone: close 4401."""


@dataclass(frozen=True)
class Credential:
    """What authenticated a socket: a token, or else a session."""

    user_id: int
    # The token's key, for a socket opened with ``Authorization: Token``.
    token: str | None = None
    # The session's key, for a browser's socket.
    session_key: str | None = None


def credential_of(scope: dict[str, Any]) -> Credential | None:
    """The credential of a scope the auth stack resolved; None for an anonymous one."""
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return None
    token = scope.get("auth_token")
    if token:
        return Credential(user.pk, token=token)
    return Credential(user.pk, session_key=scope["session"].session_key)


def credential_valid(credential: Credential) -> bool:
    """Whether the user is active and the token or unexpired session still exists: one indexed query."""
    with connection.cursor() as cursor:
        if credential.token is not None:
            cursor.execute(_token_sql(), [credential.user_id, credential.token])
        else:
            # Logging out (or flushing) deletes the session's row. The database
            # session engines (the default, cached_db) keep one.
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            cursor.execute(_session_sql(), [credential.user_id, credential.session_key, now])
        return cursor.fetchone() is not None


# Asked before every command of every socket, so written once per database
# (the ORM compiling the same filter each time cost more than the query).
_sql: dict[tuple[str, str], str] = {}


def _column(model: Any, field: str) -> str:
    """``"table"."column"`` of a model's field, quoted for this database."""
    q = connection.ops.quote_name
    return f"{q(model._meta.db_table)}.{q(model._meta.get_field(field).column)}"


def _token_sql() -> str:
    key = ("token", connection.vendor)
    if key not in _sql:
        from rest_framework.authtoken.models import Token

        user = get_user_model()
        _sql[key] = (
            f"SELECT 1 FROM {connection.ops.quote_name(user._meta.db_table)} "
            f"INNER JOIN {connection.ops.quote_name(Token._meta.db_table)} "
            f"ON {_column(Token, 'user')} = {_column(user, user._meta.pk.name)} "
            f"WHERE {_column(user, user._meta.pk.name)} = %s AND {_column(user, 'is_active')} "
            f"AND {_column(Token, 'key')} = %s"
        )
    return _sql[key]


def _session_sql() -> str:
    key = ("session", connection.vendor)
    if key not in _sql:
        user, session = get_user_model(), _session_model()
        _sql[key] = (
            f"SELECT 1 FROM {connection.ops.quote_name(user._meta.db_table)} "
            f"WHERE {_column(user, user._meta.pk.name)} = %s AND {_column(user, 'is_active')} "
            f"AND EXISTS (SELECT 1 FROM {connection.ops.quote_name(session._meta.db_table)} "
            f"WHERE {_column(session, 'session_key')} = %s AND {_column(session, 'expire_date')} > %s)"
        )
    return _sql[key]


def _session_model() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore.get_model_class()
