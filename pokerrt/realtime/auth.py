"""Who is on a socket: the Django session, or ``Authorization: Token <key>``.

A token header that names no token never falls back to anonymous: the scope
is marked and the consumer refuses the handshake (PROTOCOL.md section 1).
"""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware


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
        return await super().__call__(scope, receive, send)


def RealtimeAuthStack(inner):  # type: ignore[no-untyped-def]
    """Session and cookies first, then the token header."""
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
