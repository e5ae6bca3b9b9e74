"""The demo world of `make run`: complete, and loading it twice changes nothing."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from lobby.models import Lobby
from pokerrt.demo.world import DEMO_ADMIN, DEMO_PLAYERS
from tables.models import Table
from tournament.models import Tournament

pytestmark = pytest.mark.django_db


def test_demo_data_is_complete_and_idempotent():
    out = io.StringIO()
    call_command("load_demo", "--url", "http://127.0.0.1:8000/", stdout=out)
    counts = (get_user_model().objects.count(), Lobby.objects.count(), Table.objects.count(),
              Tournament.objects.count())
    assert counts == (len(DEMO_PLAYERS) + 1, 1, 2, 1)
    call_command("load_demo", stdout=io.StringIO())
    assert counts == (get_user_model().objects.count(), Lobby.objects.count(), Table.objects.count(),
                      Tournament.objects.count())
    printed = out.getvalue()
    assert "http://127.0.0.1:8000/" in printed
    for username, password in DEMO_PLAYERS + [DEMO_ADMIN]:
        assert f"{username} / {password}" in printed
        assert authenticate(username=username, password=password) is not None
    assert get_user_model().objects.get(username=DEMO_ADMIN[0]).is_superuser
