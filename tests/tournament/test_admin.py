"""The tournament admin works through the actions: cancelling refunds, nothing is edited behind them."""

import pytest
from django.urls import reverse

from pokerrt.accounts.actions import wallet_of
from pokerrt.realtime.models import Event
from tournament import actions
from tournament.models import Entry, Tournament, TournamentStatus

pytestmark = pytest.mark.django_db


def test_the_cancel_admin_action_refunds_through_do_cancel_tournament(admin_client, sng, players, lobby):
    actions.do_register(players[0], sng.pk)
    finished = actions.do_create_tournament(lobby, "Finished")
    Tournament.objects.filter(pk=finished.pk).update(status=TournamentStatus.FINISHED)
    response = admin_client.post(reverse("admin:tournament_tournament_changelist"),
                                 {"action": "cancel", "_selected_action": [sng.pk, finished.pk]}, follow=True)
    assert response.status_code == 200
    said = [str(m) for m in response.context["messages"]]
    assert "Sit & Go: cancelled, entries refunded." in said
    assert any(m.startswith("Finished: ") and "cancelled" in m for m in said)
    assert Tournament.objects.get(pk=sng.pk).status == TournamentStatus.CANCELLED
    assert Tournament.objects.get(pk=finished.pk).status == TournamentStatus.FINISHED
    assert wallet_of(players[0]).balance == 10_000
    assert Entry.objects.get(tournament=sng).status == "refunded"
    assert Event.objects.filter(target="TOURNAMENT", stream_id=str(sng.pk), type="TOURNAMENT_END").exists()


def test_the_admin_offers_no_bulk_delete_of_tournaments(admin_client, sng):
    response = admin_client.get(reverse("admin:tournament_tournament_changelist"))
    choices = [value for value, _ in response.context["action_form"].fields["action"].choices]
    assert "cancel" in choices and "delete_selected" not in choices


def test_structure_and_entry_pages_are_readable(admin_client, sng, players):
    actions.do_register(players[0], sng.pk)
    entry = Entry.objects.get()
    assert admin_client.get(reverse("admin:tournament_entry_change", args=[entry.pk])).status_code == 200
    assert admin_client.get(reverse("admin:tournament_blindstructure_change", args=[sng.structure_id])).status_code == 200


def test_the_add_page_offers_the_settings_and_the_standard_structures(admin_client, db):
    response = admin_client.get(reverse("admin:tournament_tournament_add"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert {"fee", "late_registration_levels", "structure", "payout_structure"} <= set(form.fields)
    assert {str(s) for s in form.fields["structure"].queryset} >= {"turbo", "regular"}


def test_the_add_page_offers_live_lobbies_only(admin_client, lobby):
    from lobby.actions import do_create_lobby, do_delete_lobby

    gone = do_create_lobby("Closed room")
    do_delete_lobby(gone.pk)
    response = admin_client.get(reverse("admin:tournament_tournament_add"))
    offered = list(response.context["adminform"].form.fields["lobby"].queryset)
    assert lobby in offered and gone not in offered
