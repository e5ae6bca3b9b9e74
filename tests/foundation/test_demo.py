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
    assert counts == (len(DEMO_PLAYERS) + 1, 2, 5, 5)
    call_command("load_demo", stdout=io.StringIO())
    assert counts == (get_user_model().objects.count(), Lobby.objects.count(), Table.objects.count(),
                      Tournament.objects.count())
    printed = out.getvalue()
    assert "http://127.0.0.1:8000/" in printed
    for username, password in DEMO_PLAYERS + [DEMO_ADMIN]:
        assert f"{username} / {password}" in printed
        assert authenticate(username=username, password=password) is not None
    assert get_user_model().objects.get(username=DEMO_ADMIN[0]).is_superuser


def test_the_demo_lobbies_list_their_tables_and_tournaments():
    from lobby.snapshots import lobby_snapshot
    from pokerrt.demo.world import DEMO_LOBBIES, load_demo

    load_demo()
    for demo in DEMO_LOBBIES:
        lobby = Lobby.objects.live().get(name=demo.name)
        state = lobby_snapshot(str(lobby.pk))
        assert [row["name"] for row in state["tables"]] == [table.name for table in demo.tables]
        assert [row["name"] for row in state["tournaments"]] == [t.name for t in demo.tournaments]
    low, high = (lobby_snapshot(str(Lobby.objects.get(name=d.name).pk)) for d in DEMO_LOBBIES)
    # low and high stakes: every blind of one below every blind of the other
    assert max(row["big_blind"] for row in low["tables"]) < min(row["big_blind"] for row in high["tables"])
    assert {row["kind"] for row in low["tournaments"]} == {"sng", "mtt"}
