"""Staff's admin: tournament clock actions, standing players up, wallet adjustments, hand histories, live state."""

from __future__ import annotations

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from rest_framework.authtoken.models import Token, TokenProxy

from pokerrt.accounts.actions import wallet_of
from pokerrt.accounts.models import LedgerEntry, Reason
from tables import actions as table_actions
from tables.models import Hand, Seat
from tests.tables.helpers import fire_now, passive, play_out
from tournament.actions import do_register
from tournament.models import Tournament, TournamentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def run_action(admin_client, model: str, action: str, *pks: int):
    return admin_client.post(reverse(f"admin:{model}_changelist"),
                             {"action": action, helpers.ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]}, follow=True)


def test_start_pause_resume_and_cancel_a_tournament(admin_client, sng, make_user):
    for name in ("p1", "p2"):
        do_register(make_user(name), sng.pk)
    sng.max_players = 6
    run_action(admin_client, "tournament_tournament", "start", sng.pk)
    assert Tournament.objects.get(pk=sng.pk).status == TournamentStatus.RUNNING
    run_action(admin_client, "tournament_tournament", "pause", sng.pk)
    assert Tournament.objects.get(pk=sng.pk).status == TournamentStatus.PAUSED
    refused = run_action(admin_client, "tournament_tournament", "pause", sng.pk)
    assert "Only a running tournament can be paused." in refused.content.decode()
    run_action(admin_client, "tournament_tournament", "resume", sng.pk)
    assert Tournament.objects.get(pk=sng.pk).status == TournamentStatus.RUNNING
    page = admin_client.get(reverse("admin:tournament_tournament_change", args=[sng.pk])).content.decode()
    assert "live-state" in page and "&quot;payouts&quot;" in page


def test_stand_a_player_up(admin_client, table, user):
    table_actions.do_join_table(user, table.pk, 500)
    before = wallet_of(user).balance
    seat = Seat.objects.get(table=table, user=user)
    run_action(admin_client, "tables_seat", "stand_up", seat.pk)
    assert not Seat.objects.filter(user=user).exists()
    assert wallet_of(user).balance == before + 500


def test_a_table_page_shows_its_live_state(admin_client, table, user):
    table_actions.do_join_table(user, table.pk, 500)
    page = admin_client.get(reverse("admin:tables_table_change", args=[table.pk])).content.decode()
    assert "live-state" in page and user.username in page


def test_a_hand_page_shows_its_history_without_hidden_cards(admin_client, table, make_user):
    for name in ("ann", "ben"):
        table_actions.do_join_table(make_user(name), table.pk, 500)
    fire_now(f"table:{table.pk}:next_hand")
    hand = play_out(table, passive)
    page = admin_client.get(reverse("admin:tables_hand_change", args=[hand.pk])).content.decode()
    assert f"PokerStars Hand #{hand.pk}:" in page
    assert "Dealt to" not in page  # a spectator's history: nobody's hole cards but those shown
    assert Hand.objects.count() == 1


def test_adjust_a_wallet_with_a_reason(admin_client, user):
    before = wallet_of(user).balance
    url = reverse("admin:accounts_adjust_wallet", args=[user.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"amount": 250, "reason": "lost connection refund"})
    assert response.status_code == 302
    assert wallet_of(user).balance == before + 250
    entry = LedgerEntry.objects.latest("id")
    assert (entry.reason, entry.amount, entry.memo) == (Reason.ADJUSTMENT, 250, "by root: lost connection refund")

    too_much = admin_client.post(url, {"amount": -(before + 251), "reason": "chargeback"})
    assert too_much.status_code == 200
    assert "cannot be taken" in too_much.content.decode()
    assert wallet_of(user).balance == before + 250

    taken = admin_client.post(url, {"amount": -50, "reason": "duplicate grant"})
    assert taken.status_code == 302
    assert wallet_of(user).balance == before + 200
    empty = admin_client.post(url, {"amount": 0, "reason": " "})
    assert empty.status_code == 200
    assert wallet_of(user).balance == before + 200


def test_a_player_without_the_permission_cannot_adjust(client, make_user, user):
    client.force_login(make_user("helper", is_staff=True))
    response = client.post(reverse("admin:accounts_adjust_wallet", args=[user.pk]), {"amount": 5, "reason": "x"})
    assert response.status_code == 403


def test_tokens_are_read_only_but_revocable(admin_client, user):
    token = Token.objects.create(user=user)
    assert admin_client.get(reverse("admin:authtoken_tokenproxy_add")).status_code == 403
    # The token admin names a token by its user's id.
    change = admin_client.post(reverse("admin:authtoken_tokenproxy_change", args=[user.pk]), {"user": user.pk})
    assert change.status_code == 403
    assert Token.objects.get(user=user).key == token.key
    admin_client.post(reverse("admin:authtoken_tokenproxy_delete", args=[user.pk]), {"post": "yes"})
    assert not TokenProxy.objects.filter(user=user).exists()
