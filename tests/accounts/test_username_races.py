"""Sign-ups of one name at the same instant: one wins, the others are told it is taken.

Every request is held after its "is the name free?" check until all of them
have passed it, so they all reach the insert believing the name is free: only
the database's unique index can then decide. Runs on SQLite and, with
DATABASE_URL set (CI's second run), on PostgreSQL.
"""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from pokerrt.accounts.serializers import RegisterSerializer
from pokerrt.accounts.views import SignUpForm

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "river-of-chips-9"


def all_at_once(requests):
    """Run each request in its own thread and connection; their results in order."""
    results = [None] * len(requests)

    def run(index, request):
        try:
            results[index] = request()
        except Exception as error:  # a 500 raised through the test client
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def hold_after(monkeypatch, owner, method, parties):
    """Make ``owner.method`` wait, once it has run, until ``parties`` calls have run it."""
    barrier = threading.Barrier(parties)
    original = getattr(owner, method)

    def held(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        barrier.wait(timeout=30)
        return result

    monkeypatch.setattr(owner, method, held)


def api_registration(name):
    def request():
        response = APIClient().post(
            "/api/auth/register/", {"username": name, "password": PASSWORD}, format="json"
        )
        return response.status_code, response.json()

    return request


def page_sign_up(name):
    def request():
        response = Client().post(
            "/accounts/signup/", {"username": name, "password1": PASSWORD, "password2": PASSWORD}
        )
        return response.status_code, response.content

    return request


@pytest.mark.parametrize("names", [["river"] * 8, ["Twin", "twin", "TWIN"]], ids=["same name", "case variants"])
def test_concurrent_registrations_of_one_name_give_one_201_and_400s(monkeypatch, names):
    # given
    hold_after(monkeypatch, RegisterSerializer, "validate", len(names))
    # when
    results = all_at_once([api_registration(name) for name in names])
    # then
    statuses = sorted(r[0] if isinstance(r, tuple) else repr(r) for r in results)
    assert statuses == [201] + [400] * (len(names) - 1), results
    for status, body in results:
        if status == 400:
            assert body == {
                "code": "VALIDATION",
                "message": "This username is taken.",
                "details": {"username": ["This username is taken."]},
            }
    assert get_user_model().objects.count() == 1


def test_concurrent_sign_ups_on_the_page_give_one_account_and_the_error_to_the_others(monkeypatch):
    # given
    names = ["Twin", "twin", "ＴＷＩＮ"]
    hold_after(monkeypatch, SignUpForm, "clean_username", len(names))
    # when
    results = all_at_once([page_sign_up(name) for name in names])
    # then
    statuses = sorted(r[0] if isinstance(r, tuple) else repr(r) for r in results)
    assert statuses == [200, 200, 302], results
    for status, content in results:
        if status == 200:
            assert b"This username is taken." in content
    assert get_user_model().objects.count() == 1
