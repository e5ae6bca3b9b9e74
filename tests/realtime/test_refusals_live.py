"""Refused handshakes over a real socket: HTTP 403, exactly, never a fallback to anonymous."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


async def refused_status(node, **kwargs) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(node.url, **kwargs):
            pass
    return refused.value.response.status_code


@pytest.mark.parametrize("authorization", ["Token not-a-token", "Bearer abc", "Token "])
async def test_a_bad_authorization_header_is_refused_with_403(node, db, authorization):
    assert await refused_status(node, additional_headers={"Authorization": authorization}) == 403


async def test_the_token_of_a_deactivated_user_is_refused_with_403(node, user):
    key = await database_sync_to_async(lambda: Token.objects.create(user=user).key)()
    await database_sync_to_async(get_user_model().objects.filter(pk=user.pk).update)(is_active=False)
    assert await refused_status(node, additional_headers={"Authorization": f"Token {key}"}) == 403


async def test_a_foreign_browser_origin_is_refused_with_403(node):
    assert await refused_status(node, origin="http://evil.example") == 403


async def test_an_allowed_origin_and_a_good_token_are_accepted(node, token):
    # The site's own origin: same scheme, host and port as the page that opened the socket.
    origin = f"http://127.0.0.1:{node.port}"
    async with connect(node.url, origin=origin, additional_headers={"Authorization": f"Token {token}"}):
        pass
