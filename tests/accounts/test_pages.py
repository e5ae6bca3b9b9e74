"""The sign-up, log-in and log-out pages a person uses in a browser."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_sign_up_page_creates_a_player_with_a_wallet_and_logs_them_in(client, settings):
    assert client.get("/accounts/signup/").status_code == 200
    response = client.post(
        "/accounts/signup/",
        {"username": "newcomer", "password1": "river-of-chips-9", "password2": "river-of-chips-9"},
    )
    assert response.status_code == 302
    assert client.get("/api/me/").json()["balance"] == settings.POKERRT_STARTING_BALANCE


def test_sign_up_with_mismatched_passwords_shows_the_error_and_creates_nothing(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "newcomer", "password1": "river-of-chips-9", "password2": "river-of-chips-8"},
    )
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert not get_user_model().objects.filter(username="newcomer").exists()


def test_log_in_and_log_out(client, user):
    assert client.get("/accounts/login/").status_code == 200
    bad = client.post("/accounts/login/", {"username": user.username, "password": "nope-nope-nope"})
    assert bad.status_code == 200 and b"errorlist" in bad.content
    good = client.post("/accounts/login/", {"username": user.username, "password": user.raw_password})
    assert good.status_code == 302
    assert client.get("/api/me/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/api/me/").status_code == 401


def test_home_page_lists_the_demo_world(client):
    from pokerrt.demo.world import load_demo

    load_demo()
    page = client.get("/")
    assert page.status_code == 200
    for shown in (b"Low stakes", b"High stakes", b"Hold&#x27;em 5/10", b"Hold&#x27;em 100/200",
                  b"Sit &amp; Go 6", b"Sunday 2500", b"3 tables, 3 tournaments"):
        assert shown in page.content, shown
