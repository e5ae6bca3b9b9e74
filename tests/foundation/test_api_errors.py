"""Every REST error answers ``{"code", "message", "details"}``, its status as docs/api-errors.md says."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from pokerrt import errors
from pokerrt.accounts import api as accounts_api
from pokerrt.accounts.errors import UsernameTaken

ME = "/api/me/"
REGISTER = "/api/auth/register/"
DOC = Path(settings.BASE_DIR) / "docs" / "api-errors.md"


def raising(exc: Exception) -> tuple[int, dict[str, Any], Any]:
    """Status, body and response of a token-authenticated view that raises ``exc``."""

    class Raising(APIView):
        authentication_classes = [TokenAuthentication]
        permission_classes = [AllowAny]

        def get(self, request: Request) -> Response:
            raise exc

    response = Raising.as_view()(APIRequestFactory().get("/"))
    response.render()
    return response.status_code, json.loads(response.content), response


def test_the_handler_is_the_projects():
    assert settings.REST_FRAMEWORK["EXCEPTION_HANDLER"] == "pokerrt.api_errors.handle"


@pytest.mark.parametrize("error", errors.ERRORS, ids=lambda cls: cls.code)
def test_each_pokerrt_error_answers_its_code_message_and_status(error):
    status, body, _ = raising(error("Told as is.", details={"field": ["Wrong."]}))
    if error is errors.Internal:
        assert (status, body["code"], body["message"], body["details"]) == (500, "INTERNAL", "Internal error.", None)
    else:
        assert status == error.http_status
        assert body == {"code": error.code, "message": "Told as is.", "details": {"field": ["Wrong."]}}


def test_a_pokerrt_unauthenticated_names_the_scheme_as_drfs_own_401_does():
    status, body, response = raising(errors.Unauthenticated())
    assert (status, body["code"], response["WWW-Authenticate"]) == (401, "UNAUTHENTICATED", "Token")


def test_the_status_table_in_the_docs_is_the_codes():
    documented = dict(re.findall(r"^\| `([A-Z_]+)` \| (\d{3}) \|", DOC.read_text(), flags=re.M))
    assert documented == {cls.code: str(cls.http_status) for cls in errors.ERRORS}


@pytest.mark.parametrize(
    "exc, status, code",
    [
        (exceptions.PermissionDenied("Staff only."), 403, "FORBIDDEN"),
        (DjangoPermissionDenied("Staff only."), 403, "FORBIDDEN"),
        (exceptions.NotFound("No such hand."), 404, "NOT_FOUND"),
        (Http404("No such hand."), 404, "NOT_FOUND"),
        (exceptions.ParseError("JSON parse error."), 400, "BAD_FRAME"),
        (exceptions.UnsupportedMediaType("text/plain"), 415, "BAD_FRAME"),
        (exceptions.MethodNotAllowed("PUT"), 405, "BAD_FRAME"),
        (exceptions.NotAcceptable(), 406, "BAD_FRAME"),
    ],
)
def test_drf_exceptions_answer_the_code_that_says_the_same(exc, status, code):
    answered, body, _ = raising(exc)
    assert (answered, body["code"], body["details"]) == (status, code, None)
    assert body["message"] == str(exc.detail if isinstance(exc, exceptions.APIException) else exc)


def test_a_validation_error_names_its_fields_and_puts_the_rest_under_non_field_errors():
    status, body, _ = raising(exceptions.ValidationError({"amount": ["A whole number."]}))
    assert (status, body["code"], body["details"]) == (400, "VALIDATION", {"amount": ["A whole number."]})
    _, body, _ = raising(exceptions.ValidationError("Not tied to a field."))
    assert body["details"] == {"non_field_errors": ["Not tied to a field."]}


def test_throttled_keeps_retry_after():
    status, body, response = raising(exceptions.Throttled(7, "Too many."))
    assert (status, body["code"], response["Retry-After"]) == (429, "RATE_LIMITED", "7")
    assert body["message"].startswith("Too many.")


@pytest.mark.django_db
def test_no_credentials_is_unauthenticated_with_www_authenticate(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "UNAUTHENTICATED"


@pytest.mark.django_db
def test_a_wrong_token_is_unauthenticated_with_www_authenticate(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = api_client.get(ME)
    assert (response.status_code, response["WWW-Authenticate"]) == (401, "Token")
    assert response.json() == {"code": "UNAUTHENTICATED", "message": "Invalid token.", "details": None}


@pytest.mark.django_db
def test_a_method_the_endpoint_does_not_take_is_a_405_that_still_says_which_it_does(api_client):
    response = api_client.get(REGISTER)
    assert (response.status_code, response.json()["code"]) == (405, "BAD_FRAME")
    assert "POST" in response["Allow"]


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_bad_frame(api_client):
    response = api_client.generic("POST", REGISTER, "{not json", content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "BAD_FRAME")
    response = api_client.generic("POST", REGISTER, "name", content_type="text/plain")
    assert (response.status_code, response.json()["code"]) == (415, "BAD_FRAME")


@pytest.mark.django_db
def test_a_name_taken_by_a_sign_up_that_committed_meanwhile_is_a_validation_on_username(api_client, monkeypatch):
    def taken_meanwhile(username: str, password: str) -> None:
        raise UsernameTaken("This username is taken.", details={"username": ["This username is taken."]})

    monkeypatch.setattr(accounts_api, "do_create_user", taken_meanwhile)
    response = api_client.post(REGISTER, {"username": "zoe", "password": "river-of-chips-9"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "VALIDATION",
        "message": "This username is taken.",
        "details": {"username": ["This username is taken."]},
    }


@pytest.mark.parametrize(
    "exc", [RuntimeError("secret internals: password=hunter2"), exceptions.APIException("secret internals")]
)
def test_anything_unexpected_is_an_internal_500_that_tells_nothing_and_is_logged(exc, caplog):
    with caplog.at_level(logging.ERROR, logger="pokerrt.api_errors"):
        status, body, response = raising(exc)
    assert status == 500
    assert body == {"code": "INTERNAL", "message": "Internal error.", "details": None}
    assert b"secret" not in response.content
    assert any(record.exc_info and record.exc_info[1] is exc for record in caplog.records)
