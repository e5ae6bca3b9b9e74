"""Who is on a socket: the Django session, or ``Authorization: Token <key>``.

A token header that names no token never falls back to anonymous: the scope
is marked and the consumer refuses the handshake (PROTOCOL.md section 1).
What authenticated a socket stays its :class:`Standing`: a user deactivated,
a token deleted or a session logged out while the socket is open revokes it
by push (``revocation``), and its commands re-check it against the database
at most every ``CREDENTIAL_RECHECK`` seconds (a session's expiry, a push
that never came). A revoked socket does not act again: close 4401.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from channels.auth import get_user
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import parse_cookie
from django.utils import timezone

from pokerrt import clock


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


class SocketAuth:
    """Set ``scope["user"]`` from a token header, else from the session cookie: the one auth middleware of ``/ws/``.

    Channels' ``AuthMiddlewareStack`` is three middlewares (cookies, session,
    user) and a token middleware made a fourth; each kept a coroutine frame
    and its own copy of the scope for the socket's whole life, about 4 KiB of
    an idle socket (loadtest/README.md, "Memory per idle connection"). This
    fills the same scope keys (``cookies``, ``session``, ``user``; with a
    token ``auth_token``, or ``auth_error`` when the token names none) in one
    frame and one copy, and asks the sync thread only for a socket that
    brings a token or a session cookie: an anonymous one has nothing to look up.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        cookies = cookies_of(scope)
        session_key = cookies.get(settings.SESSION_COOKIE_NAME)
        scope = dict(scope, cookies=cookies, session=_session_store()(session_key))
        key = authorization_token(scope)
        if key is not None:
            # A token header decides alone: a bad one never falls back to the session.
            user = await user_for_token(key) if key else None
            if user is None:
                scope["auth_error"] = "invalid token"
                user = AnonymousUser()
            else:
                scope["auth_token"] = key
        elif session_key is not None:
            user = await get_user(scope)
        else:
            user = AnonymousUser()
        scope["user"] = user
        return await self.inner(scope, receive, send)


def cookies_of(scope: dict[str, Any]) -> dict[str, str]:
    """The ``Cookie`` header as Django's ``request.COOKIES`` (as Channels' CookieMiddleware reads it)."""
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookies: dict[str, str] = parse_cookie(value.decode("latin1"))
            return cookies
    return {}


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


class Standing:
    """A socket's credential as last known: revoked by push, re-checked against the database on a bound."""

    def __init__(self, credential: Credential) -> None:
        self.credential = credential
        # Set by a revocation: in the thread that committed it (this node), or
        # by the consumer on its ``credential.revoked`` message (any node).
        self.revoked = False
        # clock.monotonic() of the last check that found it valid; None: not
        # checked since the socket's presence row was written, so the first
        # command checks (a revocation between the handshake and the row
        # could not be pushed to it).
        self.checked_at: float | None = None

    def check(self) -> None:
        """Raise CredentialRevoked unless the credential still stands. In the sync thread.

        The database is asked only when the last check is older than
        CREDENTIAL_RECHECK seconds: pushes cover everything Django writes.
        """
        if self.revoked:
            raise CredentialRevoked()
        now = clock.monotonic()
        if self.checked_at is not None and now - self.checked_at < settings.POKERRT_REALTIME["CREDENTIAL_RECHECK"]:
            return
        if not credential_valid(self.credential):
            self.revoked = True
            raise CredentialRevoked()
        self.checked_at = now


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


# Asked on every socket's first command and on each re-check, so written
# once per database (the ORM compiling the same filter each time cost more
# than the query).
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
        user, session = get_user_model(), session_model()
        _sql[key] = (
            f"SELECT 1 FROM {connection.ops.quote_name(user._meta.db_table)} "
            f"WHERE {_column(user, user._meta.pk.name)} = %s AND {_column(user, 'is_active')} "
            f"AND EXISTS (SELECT 1 FROM {connection.ops.quote_name(session._meta.db_table)} "
            f"WHERE {_column(session, 'session_key')} = %s AND {_column(session, 'expire_date')} > %s)"
        )
    return _sql[key]


def _session_store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_model() -> Any:
    """The model of the session engine's rows (what a session socket's check reads)."""
    return _session_store().get_model_class()
