"""The table admin writes through tables.actions: a table made there is playable, and every door tells the same.

Driven through the real admin URLs with Django's test client, logged in as
a superuser, so the forms, permissions and redirects are the ones staff get.
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.urls import reverse
from rest_framework.authtoken.models import Token

from pokerrt.accounts.actions import wallet_of
from pokerrt.accounts.audit import audit
from pokerrt.realtime.models import Event
from pokerrt.realtime.routing import websocket_application
from tables import actions
from tables.audit import table_chip_problems
from tables.models import Hand, Seat, Table, TableStatus
from tables.snapshots import table_info
from tests.realtime.helpers import Client

from .helpers import current_hand, fire_now, passive, play_out, table_events

pytestmark = pytest.mark.django_db

db = database_sync_to_async

SETTINGS = {"max_seats": 6, "small_blind": 5, "big_blind": 10, "ante": 0, "min_buy_in": 100,
            "max_buy_in": 2000, "action_seconds": 20, "time_bank_seconds": 30}


def add_table(client, lobby, name: str, **settings: Any):
    return client.post(reverse("admin:tables_table_add"), {"lobby": lobby.pk, "name": name, **SETTINGS, **settings})


def change_table(client, table: Table, follow: bool = False, **changes: Any):
    """POST the change form as staff would: every setting as shown, ``changes`` typed over them."""
    table.refresh_from_db()
    shown = {name: getattr(table, name) for name in actions.TABLE_FIELDS}
    return client.post(reverse("admin:tables_table_change", args=[table.pk]), {**shown, **changes}, follow=follow)


def close_table(client, table: Table, **extra: Any):
    return client.post(reverse("admin:tables_table_delete", args=[table.pk]), {"post": "yes"}, **extra)


def stored(table: Table) -> dict[str, Any]:
    return Table.objects.filter(pk=table.pk).values().get()


def form_errors(response) -> dict[str, list[str]]:
    return response.context["adminform"].form.errors


def test_a_table_added_in_the_admin_has_its_seats_its_event_and_deals_a_hand(admin_client, lobby, players):
    # when
    response = add_table(admin_client, lobby, "Admin 5/10")
    # then: seats to sit in, and the stream opens with TABLE_CREATE as a command's would
    assert response.status_code == 302
    table = Table.objects.get(name="Admin 5/10")
    assert list(Seat.objects.filter(table=table).values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert [(e.type, e.data) for e in table_events(table)] == [("TABLE_CREATE", {"table": table_info(table)})]
    # and two players sit down and are dealt in
    actions.do_join_table(players[0], table.pk, 1000)
    actions.do_join_table(players[1], table.pk, 1000)
    assert fire_now(f"table:{table.pk}:next_hand")
    hand = current_hand(table)
    assert hand is not None and set(hand.players.values()) == {players[0].pk, players[1].pk}


def test_an_admin_update_is_a_table_update_and_an_unchanged_save_tells_nothing(admin_client, table):
    # when
    assert change_table(admin_client, table, name="Renamed", max_seats=8).status_code == 302
    # then
    table.refresh_from_db()
    update = table_events(table)[-1]
    assert (update.type, update.data) == ("TABLE_UPDATE", {"table": table_info(table)})
    assert (table.name, Seat.objects.filter(table=table).count()) == ("Renamed", 8)
    # when: saved again as shown
    events = Event.objects.count()
    assert change_table(admin_client, table).status_code == 302
    # then
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    "change, named",
    [
        ({"min_buy_in": 5_000}, {"min_buy_in", "max_buy_in"}),  # the stored maximum is 2,000
        ({"small_blind": 20}, {"small_blind", "big_blind"}),  # the stored big blind is 10
        ({"max_seats": 11}, {"max_seats"}),
    ],
)
def test_settings_the_actions_refuse_are_form_errors_and_change_nothing(admin_client, table, change, named):
    before, events = stored(table), Event.objects.count()
    # when
    response = change_table(admin_client, table, **change)
    # then: the form again, the fields named, nothing stored or told
    assert response.status_code == 200
    assert named <= set(form_errors(response))
    assert stored(table) == before
    assert Event.objects.count() == events


def test_removing_a_taken_seat_is_an_error_on_max_seats_and_changes_nothing(admin_client, table, seated):
    before, events = stored(table), Event.objects.count()
    response = change_table(admin_client, table, max_seats=2)
    assert response.status_code == 200
    assert form_errors(response)["max_seats"] == ["Players sit in seats above it."]
    assert stored(table) == before and Event.objects.count() == events
    assert Seat.objects.filter(table=table).count() == 6


def test_a_refusal_the_form_did_not_foresee_is_a_message_not_a_500(admin_client, table, seated, monkeypatch):
    # given: a player sat down after the form was checked (the form's check sees nothing)
    monkeypatch.setattr("tables.admin.check_table", lambda table: None)
    before, events = stored(table), Event.objects.count()
    # when: the action checks again under the table's lock
    response = change_table(admin_client, table, max_seats=2, follow=True)
    # then
    assert response.status_code == 200
    assert "Nothing was saved. A seat that would be removed is taken." in response.content.decode()
    assert stored(table) == before and Event.objects.count() == events


def told(table_id: Any) -> list[tuple[str, dict[str, Any]]]:
    """A TABLE stream's events, the table's id (the one thing two tables cannot share) left out."""
    events = Event.objects.filter(target="TABLE", stream_id=str(table_id)).order_by("seq")
    return [(e.type, {**e.data, "table": {**e.data["table"], "id": None}}) for e in events]


@pytest.mark.django_db(transaction=True)
async def test_the_admin_and_the_socket_commands_make_the_same_events(settings, admin_client, lobby, staff_user):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    key = await db(lambda: Token.objects.get_or_create(user=staff_user)[0].key)()
    communicator = WebsocketCommunicator(websocket_application(), "/ws/",
                                         headers=[(b"authorization", f"Token {key}".encode())])
    assert (await communicator.connect())[0]
    staff = Client(communicator)
    try:
        # when: one table made, changed and closed by commands over the socket, one by the admin
        ack = await staff.request("TABLE_CREATE", "TABLE", None, {"lobby": lobby.pk, "name": "Twin", **SETTINGS})
        by_socket = ack["data"]["result"]["table_id"]
        ack = await staff.request("TABLE_UPDATE", "TABLE", by_socket, {"min_buy_in": 200, "max_seats": 9})
        assert ack["type"] == "ACK"
        await db(add_table)(admin_client, lobby, "Twin")
        by_admin = await db(Table.objects.exclude(pk=by_socket).get)(name="Twin")
        await db(change_table)(admin_client, by_admin, min_buy_in=200, max_seats=9)
        # then
        assert [kind for kind, _ in await db(told)(by_socket)] == ["TABLE_CREATE", "TABLE_UPDATE"]
        assert await db(told)(by_admin.pk) == await db(told)(by_socket)
        # and closing says the same too
        assert (await staff.request("TABLE_DELETE", "TABLE", by_socket, {}))["type"] == "ACK"
        await db(close_table)(admin_client, by_admin)
        assert await db(told)(by_admin.pk) == await db(told)(by_socket)
    finally:
        await communicator.disconnect()
        await db(connections.close_all)()


def test_closing_in_the_admin_cashes_everyone_out_and_keeps_the_records(admin_client, table, seated):
    # given: a hand played to its end, so hands and ledger entries name the table
    assert fire_now(f"table:{table.pk}:next_hand")
    play_out(table, passive)
    page = admin_client.get(reverse("admin:tables_table_delete", args=[table.pk]))
    assert "Yes, close it" in page.content.decode() and "go back to their wallet" in page.content.decode()
    # when
    response = close_table(admin_client, table)
    # then: closed, not deleted; every chip back in a wallet
    assert response.status_code == 302
    table.refresh_from_db()
    assert table.status == TableStatus.CLOSED
    assert Hand.objects.filter(table=table).count() == 1
    assert not Seat.objects.filter(table=table, user__isnull=False).exists()
    assert sum(wallet_of(player).balance for player in seated) == 3 * 10_000
    assert table_events(table)[-1].type == "TABLE_DELETE"
    assert audit() == [] and list(table_chip_problems()) == []


def test_a_table_with_a_hand_in_play_is_not_closed_and_says_why(admin_client, table, seated):
    assert fire_now(f"table:{table.pk}:next_hand")
    response = close_table(admin_client, table, follow=True)
    assert response.status_code == 200
    assert "A hand is in play; delete the table between hands." in response.content.decode()
    table.refresh_from_db()
    assert table.status == TableStatus.OPEN
    assert Seat.objects.filter(table=table, user__isnull=False).count() == 3


def test_a_closed_table_is_read_only(admin_client, table):
    actions.do_delete_table(table.pk)
    change_url = reverse("admin:tables_table_change", args=[table.pk])
    # the page is for reading; neither a change nor another close is taken
    assert admin_client.get(change_url).status_code == 200
    assert change_table(admin_client, table, name="Back again").status_code == 403
    assert close_table(admin_client, table).status_code == 403
    assert Table.objects.get(pk=table.pk).name == "Test 5/10"


def test_the_bulk_action_closes_after_a_confirmation_and_never_deletes(admin_client, lobby, table, seated):
    other = actions.do_create_table(lobby, "Other")
    changelist = reverse("admin:tables_table_changelist")
    page = admin_client.get(changelist)
    offered = [name for name, _ in page.context["action_form"].fields["action"].choices]
    assert "close_tables" in offered and "delete_selected" not in offered
    chosen = {"action": "close_tables", "_selected_action": [table.pk, other.pk]}
    # when: asked, then confirmed
    confirm = admin_client.post(changelist, chosen)
    assert confirm.status_code == 200 and "Yes, close them" in confirm.content.decode()
    assert Table.objects.filter(status=TableStatus.OPEN).count() == 2
    done = admin_client.post(changelist, {**chosen, "post": "yes"}, follow=True)
    # then
    assert "Closed 2 table(s)" in done.content.decode()
    assert set(Table.objects.values_list("status", flat=True)) == {TableStatus.CLOSED}
    assert sum(wallet_of(player).balance for player in seated) == 3 * 10_000
    assert audit() == [] and list(table_chip_problems()) == []


def test_fields_no_action_takes_are_read_only_on_the_change_form(admin_client, table):
    form = admin_client.get(reverse("admin:tables_table_change", args=[table.pk])).context["adminform"].form
    assert set(form.fields) == set(actions.TABLE_FIELDS)


def test_a_hand_page_never_shows_the_deck(admin_client, table, seated):
    assert fire_now(f"table:{table.pk}:next_hand")
    hand = current_hand(table)
    page = admin_client.get(reverse("admin:tables_hand_change", args=[hand.pk])).content.decode()
    assert hand.commitment in page
    assert "deck" not in page.lower()
