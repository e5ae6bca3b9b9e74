"""In the admin, rows no action writes are read-only for everyone; the rest are added through their actions.

A superuser has every permission Django knows of, so each refusal here comes
from the model admin itself: no add, change or delete page, and no bulk delete.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from lobby.actions import do_create_lobby, do_join_lobby
from pokerrt.accounts.actions import do_create_user, wallet_of
from pokerrt.accounts.models import CanonicalUsername
from pokerrt.realtime.models import Connection, Node
from tables import actions
from tables.models import Hand
from tests.tables.helpers import fire_now, passive, play_out
from tournament.actions import do_create_tournament, do_register
from tournament.models import BlindStructure, Tournament

pytestmark = pytest.mark.django_db

# Written by play, emit, the ledger or the timers, never by staff.
READ_ONLY = [
    "tables.seat", "tables.hand", "tables.handaction", "tables.handplayer",
    "realtime.stream", "realtime.event", "realtime.node", "realtime.connection",
    "accounts.account", "accounts.ledgerentry", "accounts.canonicalusername",
    "timers.deadline", "tournament.blindstructure", "tournament.entry", "lobby.member",
]
# Added through an action; no action changes or removes them.
ADD_ONLY = ["tournament.tournament"]


@pytest.fixture
def played(db):
    """One of every row: a hand played at a table, a node holding a player's connection."""
    lobby = do_create_lobby("Main")
    table = actions.do_create_table(lobby, "Tens", min_buy_in=100)
    players = [do_create_user(name, "correct-horse-42") for name in ("ann", "ben")]
    for player in players:
        actions.do_join_table(player, table.pk, 500)
    fire_now(f"table:{table.pk}:next_hand")
    play_out(table, passive)
    sunday = do_create_tournament(lobby, "Sunday", payout_percentages=[100])
    do_register(players[0], sunday.pk)
    Node.objects.create(name="node-1", last_seen=timezone.now())
    Connection.objects.create(channel_name="specific.1", user=players[0], node="node-1")
    do_join_lobby(players[0], lobby.pk, "specific.1")
    assert Hand.objects.exists()


def urls(label: str, pk: object) -> dict[str, str]:
    app_label, model_name = label.split(".")
    name = f"admin:{app_label}_{model_name}"
    return {"changelist": reverse(f"{name}_changelist"), "add": reverse(f"{name}_add"),
            "change": reverse(f"{name}_change", args=[pk]), "delete": reverse(f"{name}_delete", args=[pk])}


@pytest.mark.parametrize("label", READ_ONLY + ADD_ONLY)
def test_rows_no_action_changes_cannot_be_changed_or_deleted_in_the_admin(admin_client, played, label):
    model = apps.get_model(label)
    row = model.objects.first()
    assert row is not None
    before = list(model.objects.values())
    page = urls(label, row.pk)
    # staff can read them
    assert admin_client.get(page["changelist"]).status_code == 200
    assert admin_client.get(page["change"]).status_code == 200
    # and not change or delete them, one by one or in bulk
    assert admin_client.post(page["change"], {}).status_code == 403
    assert admin_client.get(page["delete"]).status_code == 403
    assert admin_client.post(page["delete"], {"post": "yes"}).status_code == 403
    admin_client.post(page["changelist"], {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
    assert list(model.objects.values()) == before


@pytest.mark.parametrize("label", READ_ONLY)
def test_rows_no_action_writes_cannot_be_added_in_the_admin(admin_client, played, label):
    assert admin_client.get(urls(label, 1)["add"]).status_code == 403


def test_a_lobby_added_in_the_admin_is_made_by_do_create_lobby(admin_client, monkeypatch):
    made = []
    monkeypatch.setattr("lobby.admin.do_create_lobby", lambda *args: made.append(args) or do_create_lobby(*args))
    response = admin_client.post(reverse("admin:lobby_lobby_add"), {"name": "High rollers", "description": "Big"})
    assert response.status_code == 302
    assert made == [("High rollers", "Big")]


def test_a_tournament_added_in_the_admin_is_made_by_do_create_tournament(admin_client, monkeypatch):
    lobby = do_create_lobby("Main")
    made = []

    def spy(lobby, name, **fields):
        made.append(name)
        return do_create_tournament(lobby, name, **fields)

    monkeypatch.setattr("tournament.admin.do_create_tournament", spy)
    response = admin_client.post(reverse("admin:tournament_tournament_add"), {
        "lobby": lobby.pk, "name": "Sunday", "kind": "sng", "buy_in": 100, "starting_stack": 1500,
        "min_players": 2, "max_players": 9, "table_size": 9, "fee": 10, "late_registration_levels": 0,
        "structure": BlindStructure.objects.get(name="regular").pk, "payout_structure": "standard",
        "payout_percentages": "[65, 35]"})
    assert response.status_code == 302
    assert made == ["Sunday"]
    assert Tournament.objects.get(name="Sunday").payout_percentages == [65, 35]
    assert Tournament.objects.get(name="Sunday").structure.name == "regular"


def user_form(username: str) -> dict[str, str]:
    return {"username": username, "password1": "correct-horse-42", "password2": "correct-horse-42"}


def test_a_user_added_in_the_admin_gets_a_wallet_and_a_claim_on_the_name(admin_client, settings):
    response = admin_client.post(reverse("admin:auth_user_add"), user_form("Zoe"))
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    zoe = get_user_model().objects.get(username="Zoe")
    assert zoe.check_password("correct-horse-42")
    assert wallet_of(zoe).balance == settings.POKERRT_STARTING_BALANCE
    assert CanonicalUsername.objects.get(user=zoe).canonical == "zoe"


def test_a_name_taken_ignoring_case_and_width_is_a_form_error_in_the_admin(admin_client):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    ann = do_create_user("ann", "correct-horse-42")
    # adding
    response = admin_client.post(reverse("admin:auth_user_add"), user_form("ＡＮＮ"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["username"] == ["This username is taken."]
    # renaming
    ben = do_create_user("ben", "correct-horse-42")
    page = admin_client.get(reverse("admin:auth_user_change", args=[ben.pk]))
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(username="Ann", groups=[], user_permissions=[], date_joined_0="2024-01-01",
                date_joined_1="00:00:00", last_login_0="", last_login_1="")
    response = admin_client.post(reverse("admin:auth_user_change", args=[ben.pk]), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["username"] == ["This username is taken."]
    assert users.get(pk=ben.pk).username == "ben" and users.filter(pk=ann.pk).exists()
