"""A ``do_*`` function refuses a REST client and a socket client with the same code.

Both doors translate the one error base (``pokerrt.errors``) by its code: the
socket into an ``ERROR`` frame, the REST API's exception handler into
``{"code", "message", "details"}`` with the code's HTTP status.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from pokerrt import errors
from pokerrt.realtime.routing import websocket_application
from tables import actions

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


class JoinView(APIView):
    """A REST door onto ``do_join_table``, as a tables endpoint would be: thin, no translation."""

    def post(self, request: Request, table_id: str) -> Response:
        seat = actions.do_join_table(request.user, table_id, request.data["buy_in"])
        return Response({"seat": seat.number})


def join_over_rest(user: Any, table_id: str, buy_in: int) -> tuple[int, dict[str, Any]]:
    request = APIRequestFactory().post("/", {"buy_in": buy_in}, format="json")
    force_authenticate(request, user=user)
    response = JoinView.as_view()(request, table_id=table_id)
    response.render()
    return response.status_code, json.loads(response.content)


async def join_over_the_socket(user: Any, table_id: str, buy_in: int) -> dict[str, Any]:
    key = await db(lambda: Token.objects.get_or_create(user=user)[0].key)()
    headers = [(b"authorization", f"Token {key}".encode())]
    communicator = WebsocketCommunicator(websocket_application(), "/ws/", headers=headers)
    assert (await communicator.connect())[0]
    try:
        frame = {"type": "TABLE_JOIN", "target": "TABLE", "id": table_id, "ref": "j", "data": {"buy_in": buy_in}}
        await communicator.send_to(text_data=json.dumps(frame))
        answer = json.loads(await communicator.receive_from(30))
        while answer["type"] == "PING":
            answer = json.loads(await communicator.receive_from(30))
        assert answer["type"] == "ERROR", answer
        return answer["data"]
    finally:
        await communicator.disconnect()
        await db(connections.close_all)()


@pytest.fixture
def deep_table(lobby):
    """A table whose maximum buy-in is above a new player's balance."""
    return actions.do_create_table(lobby, "Deep 5/10", small_blind=5, big_blind=10, max_seats=6,
                                   min_buy_in=100, max_buy_in=100_000)


@pytest.mark.parametrize(
    "which, buy_in, seated_first, code",
    [
        ("missing", 500, False, "NOT_FOUND"),
        ("cash", 50, False, "VALIDATION"),  # below the table's minimum
        ("deep", 50_000, False, "INSUFFICIENT_FUNDS"),  # above the balance
        ("cash", 500, True, "CONFLICT"),  # already seated
    ],
)
async def test_a_refused_join_has_the_same_code_over_rest_and_the_socket(
    settings, table, deep_table, make_user, which, buy_in, seated_first, code
):
    # given
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    table_id = {"missing": "999999", "cash": str(table.pk), "deep": str(deep_table.pk)}[which]
    player = await db(make_user)("ann")
    if seated_first:
        await db(actions.do_join_table)(player, table_id, 500)
    # when
    status, body = await db(join_over_rest)(player, table_id, buy_in)
    frame = await join_over_the_socket(player, table_id, buy_in)
    # then
    assert body["code"] == frame["code"] == code
    assert body["message"] == frame["message"]
    assert body["details"] == frame.get("details")
    assert status == next(cls.http_status for cls in errors.ERRORS if cls.code == code)
