"""Each error code's handling: what the client is told, what is logged, whether staff hear of it."""

from __future__ import annotations

import json
import logging

import psycopg.errors
import pytest
from django.db import OperationalError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from pokerrt import error_handlers, errors
from tests.metrics.helpers import value


def deadlock() -> OperationalError:
    try:
        raise OperationalError("deadlock detected") from psycopg.errors.DeadlockDetected("deadlock detected")
    except OperationalError as error:
        return error


def answered(door: str, code: str, fault: str) -> float:
    return value("pokerrt_error_answers_total", door=door, code=code, fault=fault)


def test_every_protocol_code_has_one_handling_and_only_internal_is_the_servers():
    assert set(error_handlers.HANDLINGS) == set(errors.CODES)
    servers = {code for code, handling in error_handlers.HANDLINGS.items() if handling.fault == error_handlers.SERVER}
    assert servers == {"INTERNAL"}
    notified = {code for code, handling in error_handlers.HANDLINGS.items() if handling.notify_staff}
    assert notified == {"INTERNAL"}


@pytest.mark.parametrize("error", [cls("Told as is.", {"field": ["Wrong."]}) for cls in errors.ERRORS
                                   if cls is not errors.Internal], ids=lambda error: error.code)
def test_a_refusal_tells_the_client_its_own_message_and_logs_only_at_debug(error, caplog):
    caplog.set_level(logging.DEBUG, logger="pokerrt.error_handlers")
    before = answered(error_handlers.SOCKET, error.code, error_handlers.CLIENT)
    told = error_handlers.answer(error, error_handlers.SOCKET, "command TEST")
    assert (told.code, told.message, told.details, told.http_status) == (
        error.code, "Told as is.", {"field": ["Wrong."]}, error.http_status)
    assert answered(error_handlers.SOCKET, error.code, error_handlers.CLIENT) == before + 1
    records = [record for record in caplog.records if record.name.startswith("pokerrt.")]
    assert records and all(record.exc_info is None and record.levelno == logging.DEBUG for record in records)
    assert not [record for record in caplog.records if record.name == "pokerrt.staff"]


@pytest.mark.parametrize("error", [ValueError("password hunter2"), errors.Internal("table 7's deck is 4c 9h")],
                         ids=["unexpected", "raised INTERNAL"])
def test_internal_tells_nothing_of_itself_and_staff_get_the_traceback(error, caplog):
    before = answered(error_handlers.API, "INTERNAL", error_handlers.SERVER)
    told = error_handlers.answer(error, error_handlers.API, "API request POST /api/x/")
    assert (told.code, told.message, told.details, told.http_status) == ("INTERNAL", "Internal error.", None, 500)
    assert answered(error_handlers.API, "INTERNAL", error_handlers.SERVER) == before + 1
    [record] = [record for record in caplog.records if record.name == "pokerrt.staff"]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert str(error) in record.getMessage()


def test_a_transient_fault_past_its_retries_is_busy_not_a_bug(caplog):
    told = error_handlers.answer(deadlock(), error_handlers.SOCKET, "command TABLE_JOIN")
    assert told.code == "INTERNAL"
    assert told.message == error_handlers.BUSY.message and "deadlock" not in told.message
    assert (told.http_status, told.retry_after) == (503, 1)
    # The retry logged it at ERROR already: a warning, no traceback, no page.
    assert not [record for record in caplog.records if record.name == "pokerrt.staff"]
    [record] = [record for record in caplog.records if record.name == "pokerrt.error_handlers"]
    assert record.levelno == logging.WARNING and record.exc_info is None


def test_a_rest_request_that_hit_a_transient_fault_answers_503_with_retry_after():
    class Deadlocked(APIView):
        permission_classes = [AllowAny]

        def post(self, request: Request) -> Response:
            raise deadlock()

    response = Deadlocked.as_view()(APIRequestFactory().post("/", {}, format="json"))
    response.render()
    assert response.status_code == 503 and response["Retry-After"] == "1"
    assert json.loads(response.content) == {"code": "INTERNAL", "message": error_handlers.BUSY.message,
                                            "details": None}
