"""Creating, changing and cancelling tournaments: each checked whole, each journaled, bad input changes nothing."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from pokerrt import errors
from pokerrt.accounts.actions import wallet_of
from pokerrt.accounts.models import LedgerEntry, Reason
from pokerrt.realtime.models import Event
from tournament import actions
from tournament.models import BlindStructure, Entry, EntryStatus, Tournament, TournamentStatus

from .helpers import world

pytestmark = pytest.mark.django_db

SOON = timezone.now() + dt.timedelta(hours=1)


def events_of(tournament, kind=None):
    rows = Event.objects.filter(target="TOURNAMENT", stream_id=str(tournament.pk)).order_by("seq")
    return [e for e in rows if kind is None or e.type == kind]


def test_a_new_tournament_registers_players_and_announces_itself(lobby):
    tournament = actions.do_create_tournament(lobby, "Sunday", kind="mtt", starts_at=SOON, buy_in=200, fee=20,
                                              structure="regular", min_players=10, max_players=1000)
    assert tournament.status == TournamentStatus.REGISTERING
    assert tournament.structure.name == "regular"
    [created] = events_of(tournament)
    assert created.type == "TOURNAMENT_CREATE"
    info = created.data["tournament"]
    assert (info["id"], info["kind"], info["buy_in"], info["fee"], info["registered"], info["prize_pool"]) == (
        str(tournament.pk), "mtt", 200, 20, 0, 0)
    assert info["structure"] == "regular"
    assert created.data["structure"][0] == {"level": 1, "small_blind": 10, "big_blind": 20, "ante": 0,
                                            "big_blind_ante": False, "minutes": 10, "break_minutes": 0}
    assert created.data["payouts"] == []


def test_a_tournament_gets_the_turbo_structure_unless_it_names_one(lobby):
    assert actions.do_create_tournament(lobby, "Quick").structure.name == "turbo"


@pytest.mark.parametrize("fields, field", [
    ({"kind": "mtt"}, "starts_at"),  # scheduled, but when?
    ({"starts_at": SOON}, "starts_at"),  # a sit-and-go starts when full
    ({"min_players": 1}, "min_players"),
    ({"min_players": 8, "max_players": 6}, "max_players"),
    ({"table_size": 11}, "table_size"),
    ({"structure": "glacial"}, "structure"),
    ({"late_registration_levels": 99}, "late_registration_levels"),
    ({"payout_percentages": [50, 40]}, "payout_percentages"),  # 90%
    ({"payout_percentages": [30, 70]}, "payout_percentages"),  # rising
    ({"payout_percentages": [40, 30, 20, 10], "min_players": 3, "max_players": 9}, "payout_percentages"),
    ({"payout_percentages": "65/35"}, "payout_percentages"),
    ({"payout_structure": "everyone_wins"}, "payout_structure"),
    ({"rebuys": 3}, "rebuys"),
])
def test_settings_that_do_not_fit_are_validation_errors_naming_the_field(lobby, fields, field):
    before = world()
    with pytest.raises(errors.Validation) as refused:
        actions.do_create_tournament(lobby, "Odd", **fields)
    assert field in refused.value.details
    assert world() == before


def test_a_registering_tournament_can_be_changed_and_says_so(sng):
    updated = actions.do_update_tournament(sng.pk, name="Renamed", max_players=9, structure="regular",
                                           payout_structure="winner_takes_all")
    assert (updated.name, updated.max_players, updated.structure.name) == ("Renamed", 9, "regular")
    update = events_of(sng, "TOURNAMENT_UPDATE")[-1]
    assert update.data["tournament"]["name"] == "Renamed"
    assert update.data["structure"][0]["minutes"] == 10


def test_the_terms_are_fixed_once_a_player_paid_for_them(sng, players):
    actions.do_register(players[0], sng.pk)
    before = world()
    for terms in ({"buy_in": 500}, {"fee": 0}, {"starting_stack": 3000}, {"kind": "mtt", "starts_at": SOON}):
        with pytest.raises(errors.Conflict):
            actions.do_update_tournament(sng.pk, **terms)
    assert world() == before


def test_fewer_places_than_players_registered_is_refused(sng, players):
    for player in players[:3]:
        actions.do_register(player, sng.pk)
    before = world()
    with pytest.raises(errors.Conflict) as refused:
        actions.do_update_tournament(sng.pk, max_players=2)
    assert "max_players" in refused.value.details
    assert world() == before


def test_the_same_terms_may_be_sent_again_after_players_registered(sng, players):
    actions.do_register(players[0], sng.pk)
    actions.do_update_tournament(sng.pk, buy_in=100, name="Same terms")
    assert Tournament.objects.get(pk=sng.pk).name == "Same terms"


@pytest.mark.parametrize("status", [TournamentStatus.RUNNING, TournamentStatus.FINISHED, TournamentStatus.CANCELLED])
def test_a_started_or_ended_tournament_cannot_be_changed(sng, status):
    Tournament.objects.filter(pk=sng.pk).update(status=status)
    before = world()
    with pytest.raises(errors.Conflict):
        actions.do_update_tournament(sng.pk, name="Too late")
    assert world() == before


@pytest.mark.parametrize("status", [TournamentStatus.FINISHED, TournamentStatus.CANCELLED])
def test_an_ended_tournament_cannot_be_cancelled(sng, status):
    # (In play it can, between hands: tests/tournament/test_play.py.)
    Tournament.objects.filter(pk=sng.pk).update(status=status)
    before = world()
    with pytest.raises(errors.Conflict):
        actions.do_cancel_tournament(sng.pk)
    assert world() == before


@pytest.mark.parametrize("tournament_id", [999, "abc", None])
def test_changing_a_tournament_that_does_not_exist_is_not_found(db, tournament_id):
    with pytest.raises(errors.NotFound):
        actions.do_update_tournament(tournament_id, name="Ghost")
    with pytest.raises(errors.NotFound):
        actions.do_cancel_tournament(tournament_id)


def test_cancelling_refunds_every_entry_its_buy_in_and_fee(sng, players):
    start = {p.pk: wallet_of(p).balance for p in players[:3]}
    for player in players[:3]:
        actions.do_register(player, sng.pk)
    actions.do_unregister(players[2], sng.pk)
    # when
    actions.do_cancel_tournament(sng.pk)
    # then: everyone has their chips back, the pool and the house are empty again
    assert {p.pk: wallet_of(p).balance for p in players[:3]} == start
    assert Tournament.objects.get(pk=sng.pk).status == TournamentStatus.CANCELLED
    statuses = sorted(Entry.objects.filter(tournament=sng).values_list("status", flat=True))
    assert statuses == [EntryStatus.REFUNDED, EntryStatus.REFUNDED, EntryStatus.UNREGISTERED]
    refunds = LedgerEntry.objects.filter(reason=Reason.CANCEL_REFUND)
    assert sorted(refunds.values_list("amount", flat=True)) == [10, 10, 100, 100]
    [end] = events_of(sng, "TOURNAMENT_END")
    assert end.data["results"] == [] and end.data["cancelled"] is True
    assert end.data["tournament"]["status"] == "cancelled" and end.data["tournament"]["registered"] == 0
    private = Event.objects.filter(target="PLAYER", stream_id=str(players[0].pk), type="TOURNAMENT_UNREGISTER")
    assert private.get().data == {"tournament_id": str(sng.pk), "reason": "cancelled", "registrations": [],
                                  "balance": start[players[0].pk], "change": 110}


def test_a_tournament_nobody_registered_for_cancels_with_one_event(sng):
    actions.do_cancel_tournament(sng.pk)
    assert [e.type for e in events_of(sng)] == ["TOURNAMENT_CREATE", "TOURNAMENT_END"]


def test_the_database_keeps_one_live_entry_per_player_and_tournament(sng, players):
    actions.do_register(players[0], sng.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(tournament=sng, user=players[0], buy_in=0, fee=0)
    # an entry given back is history: a new one may follow it
    actions.do_unregister(players[0], sng.pk)
    actions.do_register(players[0], sng.pk)
    assert Entry.objects.filter(tournament=sng, user=players[0]).count() == 2


def test_a_structure_in_use_cannot_be_deleted(sng):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        BlindStructure.objects.get(name="turbo").delete()
