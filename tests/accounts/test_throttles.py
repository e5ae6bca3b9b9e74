"""Password guessing and account minting are held back: per username, per address.

The clock the limits count by is moved by the tests, never waited for.
"""

import pytest

from pokerrt import throttling

pytestmark = pytest.mark.django_db

TOKEN = "/api/auth/token/"
REGISTER = "/api/auth/register/"
LOGIN = "/accounts/login/"
SIGNUP = "/accounts/signup/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "river-of-chips-9"
WINDOW_START = 1_800_000_000.0  # a whole number of hours (and of 15 minutes)


class Clock:
    def __init__(self) -> None:
        self.time = WINDOW_START

    def advance(self, seconds: float) -> None:
        self.time += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(throttling, "now", lambda: clock.time)
    return clock


def token(api_client, username, password, address="192.0.2.1"):
    return api_client.post(TOKEN, {"username": username, "password": password}, format="json",
                           REMOTE_ADDR=address)


def register(api_client, username, address="192.0.2.1"):
    return api_client.post(REGISTER, {"username": username, "password": PASSWORD}, format="json",
                           REMOTE_ADDR=address)


def test_eleventh_failed_log_in_for_a_name_is_a_429_until_the_window_ends(api_client, user, clock):
    # given: ten wrong passwords, the name written three ways
    for attempt, name in enumerate(["alice", "ALICE", "ａｌｉｃｅ"] * 3 + ["Alice"]):
        assert token(api_client, name, f"wrong-{attempt}").status_code == 400
    # when: even the right password
    blocked = token(api_client, "alice", user.raw_password)
    # then
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "900"
    assert blocked.json()["code"] == "RATE_LIMITED"
    assert "Too many failed log-ins" in blocked.json()["message"]
    clock.advance(899)
    assert token(api_client, "alice", user.raw_password)["Retry-After"] == "1"
    clock.advance(1)
    assert token(api_client, "alice", user.raw_password).status_code == 200


def test_a_blocked_name_does_not_block_other_players_at_the_address(api_client, user, make_user, clock):
    bob = make_user("bob")
    for attempt in range(11):
        token(api_client, "alice", f"wrong-{attempt}")
    assert token(api_client, "bob", bob.raw_password).status_code == 200


def test_thirty_failures_from_an_address_block_it_whatever_the_names(api_client, user, clock):
    for attempt in range(30):
        assert token(api_client, f"nobody{attempt}", "wrong-password").status_code == 400
    blocked = token(api_client, "alice", user.raw_password)
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "900"
    assert token(api_client, "alice", user.raw_password, address="198.51.100.7").status_code == 200


def test_a_successful_log_in_clears_its_names_failures(api_client, user, clock):
    for attempt in range(9):
        token(api_client, "alice", f"wrong-{attempt}")
    assert token(api_client, "alice", user.raw_password).status_code == 200
    for attempt in range(10):
        assert token(api_client, "alice", f"wrong-again-{attempt}").status_code == 400
    assert token(api_client, "alice", "wrong-once-more").status_code == 429


def test_successful_log_ins_do_not_use_up_the_address(api_client, user, clock):
    for _ in range(40):
        assert token(api_client, "alice", user.raw_password).status_code == 200


def test_the_log_in_page_answers_429_with_a_message(client, user, clock):
    for attempt in range(10):
        page = client.post(LOGIN, {"username": "alice", "password": f"wrong-{attempt}"})
        assert page.status_code == 200
    blocked = client.post(LOGIN, {"username": "Alice", "password": user.raw_password})
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "900"
    assert b"Too many attempts" in blocked.content
    assert b"15 minutes" in blocked.content
    clock.advance(900)
    assert client.post(LOGIN, {"username": "alice", "password": user.raw_password}).status_code == 302


def test_the_api_and_the_pages_share_one_count(client, api_client, staff_user, clock):
    for attempt in range(5):
        token(api_client, "staffer", f"wrong-{attempt}", address="127.0.0.1")
        client.post(ADMIN_LOGIN, {"username": "staffer", "password": f"wrong-again-{attempt}"})
    assert client.post(LOGIN, {"username": "staffer", "password": staff_user.raw_password}).status_code == 429


def test_the_admin_log_in_page_is_held_to_the_same_limits(client, staff_user, clock):
    for attempt in range(10):
        assert client.post(ADMIN_LOGIN, {"username": "staffer", "password": f"wrong-{attempt}"}).status_code == 200
    blocked = client.post(ADMIN_LOGIN, {"username": "staffer", "password": staff_user.raw_password})
    assert blocked.status_code == 429
    clock.advance(900)
    assert client.post(ADMIN_LOGIN, {"username": "staffer", "password": staff_user.raw_password}).status_code == 302


def test_eleventh_sign_up_from_an_address_in_an_hour_is_a_429(api_client, clock):
    for n in range(10):
        assert register(api_client, f"newcomer{n}").status_code == 201
    blocked = register(api_client, "newcomer10")
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "3600"
    assert register(api_client, "elsewhere", address="198.51.100.7").status_code == 201
    clock.advance(3600)
    assert register(api_client, "newcomer10").status_code == 201


def test_refused_sign_ups_do_not_count(api_client, user, clock):
    for _ in range(20):
        assert register(api_client, "alice").status_code == 400
        assert api_client.post(REGISTER, {"username": "x", "password": "short"}, format="json").status_code == 400
    assert register(api_client, "newcomer").status_code == 201


def test_the_sign_up_page_has_the_same_limit(client, settings, clock):
    settings.POKERRT_THROTTLES = {**settings.POKERRT_THROTTLES, "signup_address": "2/1h"}
    for n in range(2):
        form = {"username": f"newcomer{n}", "password1": PASSWORD, "password2": PASSWORD}
        assert client.post(SIGNUP, form).status_code == 302
        client.post("/accounts/logout/")
    blocked = client.post(SIGNUP, {"username": "newcomer2", "password1": PASSWORD, "password2": PASSWORD})
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "3600"
    assert b"Too many attempts" in blocked.content


def test_limits_can_be_turned_off(api_client, user, settings, clock):
    settings.POKERRT_THROTTLES = {"login_username": "off", "login_address": "off", "signup_address": "off"}
    for attempt in range(40):
        assert token(api_client, "alice", f"wrong-{attempt}").status_code == 400
    assert token(api_client, "alice", user.raw_password).status_code == 200
