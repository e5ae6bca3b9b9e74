"""The REST endpoints do what their socket commands do: reads, joining, registering, staff's writes."""

from __future__ import annotations

import json

import pytest

from pokerrt.accounts.actions import wallet_of
from pokerrt.realtime.models import Event
from tables.models import Seat, TableStatus
from tournament.models import EntryStatus, Tournament, TournamentStatus

pytestmark = pytest.mark.django_db


def test_lobbies_list_and_snapshot_are_public(api_client, lobby, table, sng):
    listed = api_client.get("/api/lobbies/")
    assert listed.status_code == 200
    assert listed.json()["results"] == [{"id": str(lobby.pk), "name": "Main", "description": ""}]
    snapshot = api_client.get(f"/api/lobbies/{lobby.pk}/").json()
    assert [row["id"] for row in snapshot["tables"]] == [str(table.pk)]
    assert [row["id"] for row in snapshot["tournaments"]] == [str(sng.pk)]


def test_tables_filter_by_stakes_kind_status_and_lobby(api_client, lobby, table):
    from tables.actions import do_create_table, do_delete_table

    big = do_create_table(lobby, "High 50/100", small_blind=50, big_blind=100, min_buy_in=1000, max_buy_in=20000)
    closed = do_create_table(lobby, "Gone", small_blind=5, big_blind=10)
    do_delete_table(closed.pk)

    def ids(query: str) -> list[str]:
        response = api_client.get(f"/api/tables/{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [str(table.pk), str(big.pk)]
    assert ids("?stakes=50/100") == [str(big.pk)]
    assert ids("?min_big_blind=20") == [str(big.pk)]
    assert ids("?status=closed") == [str(closed.pk)]
    assert ids("?kind=cash&ordering=-big_blind") == [str(big.pk), str(table.pk)]
    assert ids(f"?lobby={lobby.pk + 1}") == []
    bad = api_client.get("/api/tables/?stakes=lots")
    assert bad.status_code == 400
    assert bad.json()["code"] == "VALIDATION"
    assert "stakes" in bad.json()["details"]


def test_join_and_leave_a_table_move_the_buy_in_and_journal_the_socket_events(player_client, user, table):
    before = wallet_of(user).balance
    joined = player_client.post(f"/api/tables/{table.pk}/seat/", {"buy_in": 500, "seat": 3}, format="json")
    assert joined.status_code == 201, joined.json()
    assert joined.json()["seat"] == 3
    assert wallet_of(user).balance == before - 500
    snapshot = player_client.get(f"/api/tables/{table.pk}/").json()
    assert snapshot["seats"][2]["user"] == {"id": str(user.pk), "username": user.username}

    again = player_client.post(f"/api/tables/{table.pk}/seat/", {"buy_in": 500}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "CONFLICT"

    left = player_client.delete(f"/api/tables/{table.pk}/seat/")
    assert left.status_code == 200
    assert wallet_of(user).balance == before
    types = list(Event.objects.filter(target="TABLE", stream_id=str(table.pk)).values_list("type", flat=True))
    assert types == ["TABLE_CREATE", "TABLE_JOIN", "TABLE_LEAVE"]


def test_a_buy_in_above_the_balance_is_insufficient_funds(player_client, user, table):
    table.max_buy_in = 10**9
    table.save()
    response = player_client.post(f"/api/tables/{table.pk}/seat/",
                                  {"buy_in": wallet_of(user).balance + 1}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "INSUFFICIENT_FUNDS"


def test_register_and_unregister(player_client, user, sng):
    before = wallet_of(user).balance
    registered = player_client.post(f"/api/tournaments/{sng.pk}/registration/")
    assert registered.status_code == 201
    assert registered.json() == {"tournament_id": str(sng.pk), "status": "registered", "table_id": None}
    assert wallet_of(user).balance == before - 110
    assert player_client.get("/api/me/registrations/").json() == [registered.json()]
    twice = player_client.post(f"/api/tournaments/{sng.pk}/registration/")
    assert twice.json()["code"] == "CONFLICT"

    unregistered = player_client.delete(f"/api/tournaments/{sng.pk}/registration/")
    assert unregistered.status_code == 200
    assert unregistered.json()["status"] == EntryStatus.UNREGISTERED
    assert wallet_of(user).balance == before
    assert player_client.get("/api/me/registrations/").json() == []


def test_tournament_snapshot_has_structure_players_and_payouts(player_client, sng):
    player_client.post(f"/api/tournaments/{sng.pk}/registration/")
    snapshot = player_client.get(f"/api/tournaments/{sng.pk}/").json()
    assert snapshot["tournament"]["registered"] == 1
    assert snapshot["structure"][0]["level"] == 1
    assert len(snapshot["players"]) == 1
    assert snapshot["payouts"][0] == {"position": 1, "prize": 100}


def test_my_ledger_lists_the_wallets_movements_signed(player_client, user, sng):
    player_client.post(f"/api/tournaments/{sng.pk}/registration/")
    rows = player_client.get("/api/me/ledger/").json()["results"]
    assert [(row["reason"], row["amount"]) for row in rows[:2]] == [("fee", -10), ("register", -100)]
    assert rows[-1]["reason"] == "grant"
    assert rows[-1]["amount"] > 0


def test_staff_create_update_close_a_table(staff_client, lobby):
    created = staff_client.post("/api/tables/", {"lobby": lobby.pk, "name": "New", "small_blind": 1,
                                                 "big_blind": 2, "min_buy_in": 40, "max_buy_in": 200},
                                format="json")
    assert created.status_code == 201, created.json()
    table_id = created.json()["id"]
    updated = staff_client.patch(f"/api/tables/{table_id}/", {"name": "Renamed"}, format="json")
    assert updated.json()["name"] == "Renamed"
    assert staff_client.delete(f"/api/tables/{table_id}/").status_code == 204
    assert staff_client.get(f"/api/tables/{table_id}/").json()["code"] == "NOT_FOUND"
    types = list(Event.objects.filter(target="TABLE", stream_id=table_id).values_list("type", flat=True))
    assert types == ["TABLE_CREATE", "TABLE_UPDATE", "TABLE_DELETE"]
    from tables.models import Table
    assert Table.objects.get(pk=int(table_id)).status == TableStatus.CLOSED


def test_staff_lobby_crud(staff_client):
    created = staff_client.post("/api/lobbies/", {"name": "Second"}, format="json")
    assert created.status_code == 201
    lobby_id = created.json()["id"]
    assert staff_client.patch(f"/api/lobbies/{lobby_id}/", {"description": "Hi"},
                              format="json").json()["description"] == "Hi"
    taken = staff_client.post("/api/lobbies/", {"name": "Second"}, format="json")
    assert taken.status_code == 400
    assert "name" in taken.json()["details"]
    assert staff_client.delete(f"/api/lobbies/{lobby_id}/").status_code == 204
    assert staff_client.get(f"/api/lobbies/{lobby_id}/").status_code == 404


def test_staff_tournament_lifecycle(staff_client, make_user, lobby):
    created = staff_client.post("/api/tournaments/", {"lobby": lobby.pk, "name": "MTT", "kind": "mtt",
                                                      "min_players": 2, "max_players": 20, "table_size": 6,
                                                      "buy_in": 0, "fee": 0, "starts_at": "2099-01-01T00:00:00Z"},
                                 format="json")
    assert created.status_code == 201, created.json()
    tournament_id = created.json()["id"]
    from tournament.actions import do_register
    for name in ("p1", "p2", "p3"):
        do_register(make_user(name), tournament_id)
    assert staff_client.patch(f"/api/tournaments/{tournament_id}/", {"name": "Big MTT"},
                              format="json").json()["name"] == "Big MTT"
    assert staff_client.post(f"/api/tournaments/{tournament_id}/start/").json()["status"] == "running"
    assert staff_client.post(f"/api/tournaments/{tournament_id}/pause/").json()["status"] == "paused"
    assert staff_client.post(f"/api/tournaments/{tournament_id}/pause/").json()["code"] == "CONFLICT"
    assert staff_client.post(f"/api/tournaments/{tournament_id}/resume/").json()["status"] == "running"
    cancelled = staff_client.delete(f"/api/tournaments/{tournament_id}/")
    assert cancelled.json()["status"] == TournamentStatus.CANCELLED
    assert Tournament.objects.get(pk=int(tournament_id)).status == TournamentStatus.CANCELLED


def test_staff_structures_crud_refuses_changes_to_one_in_use(staff_client, sng):
    levels = [{"small_blind": 10, "big_blind": 20, "minutes": 5}, {"small_blind": 20, "big_blind": 40, "minutes": 5}]
    created = staff_client.post("/api/structures/", {"name": "quick", "levels": levels}, format="json")
    assert created.status_code == 201, created.json()
    structure_id = created.json()["id"]
    assert [level["big_blind"] for level in created.json()["levels"]] == [20, 40]
    changed = staff_client.patch(f"/api/structures/{structure_id}/", {"levels": levels[:1]}, format="json")
    assert len(changed.json()["levels"]) == 1
    falling = staff_client.patch(f"/api/structures/{structure_id}/", {"levels": levels[::-1]}, format="json")
    assert falling.status_code == 400
    assert "levels" in falling.json()["details"]
    in_use = staff_client.delete(f"/api/structures/{sng.structure_id}/")
    assert in_use.status_code == 409
    assert staff_client.delete(f"/api/structures/{structure_id}/").status_code == 204


@pytest.mark.parametrize("path", ["/api/tables/017/", "/api/tables/99999999999999999999999/",
                                  "/api/tournaments/00/registration/"])
def test_ids_that_are_not_canonical_or_too_big_are_validation(player_client, table, path):
    response = player_client.get(path) if "registration" not in path else player_client.post(path)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION"


@pytest.mark.parametrize("body", [
    {"buy_in": 500, "cheat": True},
    {"buy_in": "500"},
    {"buy_in": 500.0},
    {"buy_in": 10**30},
    {"buy_in": True},
    [1, 2],
])
def test_bad_join_bodies_are_400_with_the_field_named(player_client, table, body):
    response = player_client.post(f"/api/tables/{table.pk}/seat/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION"
    assert response.json()["details"]
    assert not Seat.objects.filter(user__isnull=False).exists()


def test_a_body_nested_thousands_deep_is_400(player_client, table):
    body = "[" * 5000 + "]" * 5000
    response = player_client.post(f"/api/tables/{table.pk}/seat/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_FRAME"


def test_an_unknown_api_path_is_not_found_in_the_error_format(api_client):
    response = api_client.get("/api/nothing/here/")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize("query", ["?offset=" + "9" * 30, "?offset=" + "9" * 5000, "?limit=" + "9" * 5000,
                                   "?lobby=" + "9" * 40, "?min_big_blind=1e400", "?lobby=%C2%B2",
                                   "?ordering=nothing"])
def test_odd_list_queries_are_answered_not_crashed_on(api_client, table, query):
    response = api_client.get(f"/api/tables/{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["code"] == "VALIDATION"


@pytest.mark.parametrize("limit", ["9" * 5000, "%C2%B2", "-1", "0"])
def test_my_hands_takes_only_a_plain_limit(player_client, limit):
    response = player_client.get(f"/api/me/hands/?limit={limit}")
    assert response.status_code == 200
    assert response.json() == {"hands": []}


def test_a_hand_history_may_be_asked_for_as_text(player_client, table, user, make_user):
    from tables.actions import do_join_table
    from tests.tables.helpers import fire_now, passive, play_out

    do_join_table(user, table.pk, 500)
    do_join_table(make_user("ben"), table.pk, 500)
    fire_now(f"table:{table.pk}:next_hand")
    hand = play_out(table, passive)
    text = player_client.get(f"/api/hands/{hand.pk}/history.txt", HTTP_ACCEPT="text/plain")
    assert text.status_code == 200
    assert text["Content-Type"].startswith("text/plain")
    assert text.content.decode().startswith(f"PokerStars Hand #{hand.pk}:")
    missing = player_client.get(f"/api/hands/{hand.pk + 1}/history.txt", HTTP_ACCEPT="text/plain")
    assert missing.status_code == 404
    assert json.loads(missing.content)["code"] == "NOT_FOUND"
