"""Sign-up, tokens and /api/me/ over the REST API, including bad input."""

import pytest
from django.contrib.auth import get_user_model

from pokerrt.accounts.models import Account, LedgerEntry

pytestmark = pytest.mark.django_db

REGISTER = "/api/auth/register/"
TOKEN = "/api/auth/token/"
ME = "/api/me/"


def test_register_then_token_then_me_with_token(api_client, settings):
    # when
    created = api_client.post(REGISTER, {"username": "zoe", "password": "river-of-chips-9"}, format="json")
    # then
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "username", "token"}
    assert body["username"] == "zoe"

    issued = api_client.post(TOKEN, {"username": "zoe", "password": "river-of-chips-9"}, format="json")
    assert issued.status_code == 200
    assert issued.json() == {"token": body["token"]}

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    me = api_client.get(ME)
    assert me.status_code == 200
    assert me.json()["id"] == body["id"]
    assert me.json()["username"] == "zoe"
    assert me.json()["balance"] == settings.POKERRT_STARTING_BALANCE


def test_me_with_session_after_logging_in_on_the_site(client, user):
    # given
    logged_in = client.post("/accounts/login/", {"username": user.username, "password": user.raw_password})
    assert logged_in.status_code == 302
    # when
    me = client.get(ME)
    # then
    assert me.status_code == 200
    assert me.json()["username"] == user.username


def test_me_refuses_anonymous_and_bad_tokens(api_client):
    assert api_client.get(ME).status_code in (401, 403)
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get(ME).status_code == 401


def test_starting_balance_is_configurable(api_client, settings):
    settings.POKERRT_STARTING_BALANCE = 2500
    body = api_client.post(REGISTER, {"username": "kim", "password": "river-of-chips-9"}, format="json").json()
    wallet = Account.objects.get(user_id=body["id"])
    assert wallet.balance == 2500
    grant = LedgerEntry.objects.get(destination=wallet)
    assert (grant.reason, grant.amount, grant.source.kind) == ("grant", 2500, "mint")


@pytest.mark.parametrize(
    "payload, bad_fields",
    [
        ({"username": "alice", "password": "river-of-chips-9"}, {"username"}),  # duplicate
        ({"username": "ALICE", "password": "river-of-chips-9"}, {"username"}),  # duplicate, other case
        ({"username": "newbie", "password": "short"}, {"password"}),
        ({"username": "newbie", "password": "12345678901"}, {"password"}),  # all digits
        ({"username": "newbie", "password": "password123"}, {"password"}),  # common
        ({"username": "newbie"}, {"password"}),
        ({"password": "river-of-chips-9"}, {"username"}),
        ({"username": "new bie!", "password": "river-of-chips-9"}, {"username"}),
        ({"username": "newbie", "password": "river-of-chips-9", "is_staff": True}, {"is_staff"}),
        ({"username": ["x"], "password": "river-of-chips-9"}, {"username"}),
    ],
)
def test_bad_registrations_get_per_field_errors_and_create_nothing(api_client, user, payload, bad_fields):
    users_before = get_user_model().objects.count()
    entries_before = LedgerEntry.objects.count()
    # when
    response = api_client.post(REGISTER, payload, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION"
    assert bad_fields <= set(response.json()["details"])
    assert get_user_model().objects.count() == users_before
    assert LedgerEntry.objects.count() == entries_before


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', ""])
def test_malformed_json_is_a_400_not_a_500(api_client, body):
    response = api_client.generic("POST", REGISTER, body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "alice", "password": "wrong-password"},
        {"username": "nobody", "password": "whatever-it-is"},
        {"username": "alice"},
        {},
        {"username": "alice", "password": "x", "extra": 1},
    ],
)
def test_wrong_credentials_get_400_never_500(api_client, user, payload):
    response = api_client.post(TOKEN, payload, format="json")
    assert response.status_code in (400, 401)
    assert "token" not in response.json()
