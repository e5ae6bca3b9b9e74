"""TOURNAMENT commands through the processor: permissions, validation, and what each changes."""

import pytest
from django.contrib.auth.models import AnonymousUser

from pokerrt import errors
from pokerrt.realtime import processor
from pokerrt.realtime.envelope import Command
from tournament.models import Entry, Tournament, TournamentStatus

from .helpers import world

pytestmark = pytest.mark.django_db


def send(user, type_, tournament_id, data):
    return processor.process(Command(type_, "TOURNAMENT", None if tournament_id is None else str(tournament_id),
                                     data), user)


def test_players_register_and_unregister_by_command(sng, players):
    send(players[0], "TOURNAMENT_REGISTER", sng.pk, {})
    assert Entry.objects.filter(tournament=sng, user=players[0], status="registered").exists()
    send(players[0], "TOURNAMENT_UNREGISTER", sng.pk, {})
    assert not Tournament.objects.get(pk=sng.pk).live_entries().exists()


def test_staff_create_update_and_cancel_by_command(staff_user, lobby):
    created = send(staff_user, "TOURNAMENT_CREATE", None, {
        "lobby": lobby.pk, "name": "Sunday Major", "kind": "mtt", "starts_at": "2030-01-05T18:00:00Z",
        "buy_in": 1000, "fee": 100, "starting_stack": 10000, "min_players": 20, "max_players": 2000,
        "table_size": 9, "late_registration_levels": 6, "structure": "regular", "payout_structure": "standard"})
    tournament = Tournament.objects.get(pk=int(created["tournament_id"]))
    assert (tournament.name, tournament.kind, tournament.starts_at.isoformat()) == (
        "Sunday Major", "mtt", "2030-01-05T18:00:00+00:00")
    send(staff_user, "TOURNAMENT_UPDATE", tournament.pk, {"name": "Sunday Million", "payout_percentages": [50, 30, 20]})
    tournament.refresh_from_db()
    assert (tournament.name, tournament.payout_percentages) == ("Sunday Million", [50, 30, 20])
    send(staff_user, "TOURNAMENT_CANCEL", tournament.pk, {})
    assert Tournament.objects.get(pk=tournament.pk).status == TournamentStatus.CANCELLED


@pytest.mark.parametrize("type_, data", [
    ("TOURNAMENT_CREATE", {"lobby": 1, "name": "Mine"}),
    ("TOURNAMENT_UPDATE", {"name": "Mine"}),
    ("TOURNAMENT_CANCEL", {}),
])
def test_staff_commands_are_forbidden_to_players_and_change_nothing(sng, players, type_, data):
    before = world()
    with pytest.raises(errors.Forbidden):
        send(players[0], type_, None if type_ == "TOURNAMENT_CREATE" else sng.pk, data)
    assert world() == before


@pytest.mark.parametrize("type_", ["TOURNAMENT_REGISTER", "TOURNAMENT_UNREGISTER", "TOURNAMENT_CANCEL"])
def test_anonymous_users_are_unauthenticated(sng, type_):
    with pytest.raises(errors.Unauthenticated):
        send(AnonymousUser(), type_, sng.pk, {})


@pytest.mark.parametrize("data", [
    {"lobby": 1},  # no name
    {"name": "X"},  # no lobby
    {"lobby": 1, "name": "X", "buy_in": "100"},
    {"lobby": 1, "name": "X", "buy_in": -1},
    {"lobby": 1, "name": "X", "buy_in": 10.5},
    {"lobby": 1, "name": "X", "table_size": 12},
    {"lobby": 1, "name": "X", "kind": "cash"},
    {"lobby": 1, "name": "X", "starts_at": "tomorrow"},
    {"lobby": 1, "name": "X", "payout_percentages": [60, "40"]},
    {"lobby": 1, "name": "X", "payout_structure": "everyone_wins"},
    {"lobby": 1, "name": "X", "structure": "glacial"},
    {"lobby": 1, "name": "X", "rebuys": 2},
])
def test_bad_creates_are_validation_errors_and_change_nothing(staff_user, lobby, data):
    data = {**data, "lobby": lobby.pk} if "lobby" in data else data
    before = world()
    with pytest.raises(errors.Validation):
        send(staff_user, "TOURNAMENT_CREATE", None, data)
    assert world() == before


def test_a_create_in_no_such_lobby_is_not_found(staff_user, db):
    with pytest.raises(errors.NotFound):
        send(staff_user, "TOURNAMENT_CREATE", None, {"lobby": 999, "name": "Nowhere"})


@pytest.mark.parametrize("data", [{"seat": 1}, {"buy_in": 100}])
def test_registering_takes_no_data(sng, players, data):
    with pytest.raises(errors.Validation):
        send(players[0], "TOURNAMENT_REGISTER", sng.pk, data)
    assert not Entry.objects.exists()


def test_commands_that_need_a_tournament_refuse_a_missing_or_unknown_one(sng, players, staff_user):
    with pytest.raises(errors.Validation):
        send(players[0], "TOURNAMENT_REGISTER", None, {})
    with pytest.raises(errors.NotFound):
        send(players[0], "TOURNAMENT_REGISTER", 4242, {})
    with pytest.raises(errors.NotFound):
        send(staff_user, "TOURNAMENT_UPDATE", 4242, {"name": "Ghost"})


def test_a_command_s_refusal_carries_its_protocol_code(sng, players):
    send(players[0], "TOURNAMENT_REGISTER", sng.pk, {})
    with pytest.raises(errors.PokerrtError) as refused:
        send(players[0], "TOURNAMENT_REGISTER", sng.pk, {})
    assert refused.value.code == "CONFLICT"
