"""Registering and unregistering through the ledger: the buy-in to the pool, the fee to the house, and back."""

import pytest

from pokerrt import errors
from pokerrt.accounts.actions import account_for, do_transfer, mint_account, wallet_of
from pokerrt.accounts.models import AccountKind, LedgerEntry, Reason
from pokerrt.realtime.models import Event
from tournament import actions
from tournament.models import Entry, EntryStatus, Tournament, TournamentStatus

from .helpers import world

pytestmark = pytest.mark.django_db


def pool(tournament):
    return account_for(AccountKind.POOL, tournament.pk).balance


def house():
    return account_for(AccountKind.HOUSE, "").balance


def test_registering_pays_the_buy_in_into_the_pool_and_the_fee_to_the_house(sng, players):
    ann = players[0]
    balance = wallet_of(ann).balance
    # when
    entry = actions.do_register(ann, sng.pk)
    # then
    assert (entry.status, entry.buy_in, entry.fee, entry.chips) == (EntryStatus.REGISTERED, 100, 10, 1500)
    assert wallet_of(ann).balance == balance - 110
    assert (pool(sng), house()) == (100, 10)
    reasons = list(LedgerEntry.objects.order_by("-id")[:2].values_list("reason", "amount"))
    assert sorted(reasons) == [(Reason.FEE, 10), (Reason.REGISTER, 100)]


def test_registering_is_announced_on_the_tournament_and_the_player_s_own_stream(sng, players):
    actions.do_register(players[0], sng.pk)
    actions.do_register(players[1], sng.pk)
    public = Event.objects.filter(target="TOURNAMENT", type="TOURNAMENT_REGISTER").order_by("seq").last()
    assert public.data["user"] == {"id": str(players[1].pk), "username": "ben"}
    assert (public.data["registered"], public.data["prize_pool"]) == (2, 200)
    assert public.data["payouts"] == [{"position": 1, "prize": 130}, {"position": 2, "prize": 70}]
    assert public.data["player"] == {"user": {"id": str(players[1].pk), "username": "ben"},
                                     "status": "registered", "chips": 1500, "table_id": None, "position": None}
    private = Event.objects.get(target="PLAYER", stream_id=str(players[1].pk), type="TOURNAMENT_REGISTER")
    assert private.data == {"tournament_id": str(sng.pk), "balance": wallet_of(players[1]).balance,
                            "change": -110,
                            "registrations": [{"tournament_id": str(sng.pk), "status": "registered",
                                               "table_id": None}]}


def test_unregistering_refunds_the_buy_in_and_the_fee(sng, players):
    ann = players[0]
    balance = wallet_of(ann).balance
    actions.do_register(ann, sng.pk)
    # when
    entry = actions.do_unregister(ann, sng.pk)
    # then
    assert entry.status == EntryStatus.UNREGISTERED and entry.unregistered_at is not None
    assert wallet_of(ann).balance == balance
    assert (pool(sng), house()) == (0, 0)
    public = Event.objects.filter(target="TOURNAMENT", type="TOURNAMENT_UNREGISTER").get()
    assert (public.data["registered"], public.data["prize_pool"], public.data["payouts"]) == (0, 0, [])
    private = Event.objects.get(target="PLAYER", stream_id=str(ann.pk), type="TOURNAMENT_UNREGISTER")
    assert private.data == {"tournament_id": str(sng.pk), "registrations": [], "balance": balance, "change": 110}


def test_a_freeroll_moves_no_chips(lobby, players):
    freeroll = actions.do_create_tournament(lobby, "Freeroll", buy_in=0, fee=0)
    ledger = LedgerEntry.objects.count()
    actions.do_register(players[0], freeroll.pk)
    actions.do_unregister(players[0], freeroll.pk)
    assert LedgerEntry.objects.count() == ledger


def test_registering_up_to_the_last_place_then_full(sng, players, make_user):
    for player in players:
        actions.do_register(player, sng.pk)
    late = make_user("gus")
    before = world()
    with pytest.raises(errors.Conflict, match="full"):
        actions.do_register(late, sng.pk)
    assert world() == before


def test_registering_twice_is_a_conflict_and_changes_nothing(sng, players):
    actions.do_register(players[0], sng.pk)
    before = world()
    with pytest.raises(errors.Conflict, match="already"):
        actions.do_register(players[0], sng.pk)
    assert world() == before


def test_registering_with_too_few_chips_is_insufficient_funds_and_changes_nothing(sng, players):
    ann = players[0]
    # leave ann 105 chips: the buy-in fits, the buy-in and fee do not
    do_transfer(wallet_of(ann), mint_account(), wallet_of(ann).balance - 105, Reason.TOP_UP, memo="test")
    before = world()
    with pytest.raises(errors.InsufficientFunds):
        actions.do_register(ann, sng.pk)
    assert world() == before


@pytest.mark.parametrize("status, level, late, message", [
    (TournamentStatus.CANCELLED, 0, 0, "cancelled"),
    (TournamentStatus.FINISHED, 9, 0, "closed"),
    (TournamentStatus.RUNNING, 1, 0, "closed"),  # no late registration
    (TournamentStatus.RUNNING, 4, 3, "closed"),  # after its last level
    (TournamentStatus.PAUSED, 4, 3, "closed"),
])
def test_registering_when_closed_is_a_conflict_and_changes_nothing(sng, players, status, level, late, message):
    Tournament.objects.filter(pk=sng.pk).update(status=status, level=level, late_registration_levels=late)
    before = world()
    with pytest.raises(errors.Conflict, match=message):
        actions.do_register(players[0], sng.pk)
    assert world() == before


@pytest.mark.parametrize("status", [TournamentStatus.RUNNING, TournamentStatus.PAUSED])
def test_late_registration_is_open_up_to_its_last_level(sng, players, status):
    Tournament.objects.filter(pk=sng.pk).update(status=status, level=3, late_registration_levels=3)
    entry = actions.do_register(players[0], sng.pk)
    # A late entry is seated at once, with the starting stack (here at a table of its own: none was set up).
    assert entry.status == EntryStatus.PLAYING and entry.table is not None and pool(sng) == 100


def test_unregistering_when_not_registered_is_a_conflict(sng, players):
    actions.do_register(players[0], sng.pk)
    actions.do_unregister(players[0], sng.pk)
    before = world()
    with pytest.raises(errors.Conflict, match="not registered"):
        actions.do_unregister(players[0], sng.pk)
    with pytest.raises(errors.Conflict, match="not registered"):
        actions.do_unregister(players[1], sng.pk)
    assert world() == before


@pytest.mark.parametrize("status", [TournamentStatus.RUNNING, TournamentStatus.PAUSED, TournamentStatus.FINISHED])
def test_unregistering_after_the_start_is_a_conflict_and_changes_nothing(sng, players, status):
    actions.do_register(players[0], sng.pk)
    Tournament.objects.filter(pk=sng.pk).update(status=status, level=1, late_registration_levels=2)
    before = world()
    with pytest.raises(errors.Conflict, match="started"):
        actions.do_unregister(players[0], sng.pk)
    assert world() == before


def test_a_late_entry_stays_in_once_play_has_started(sng, players):
    Tournament.objects.filter(pk=sng.pk).update(status=TournamentStatus.RUNNING, level=1, late_registration_levels=2)
    actions.do_register(players[0], sng.pk)
    with pytest.raises(errors.Conflict):
        actions.do_unregister(players[0], sng.pk)


@pytest.mark.parametrize("tournament_id", [12345, "x"])
def test_registering_for_no_such_tournament_is_not_found(db, players, tournament_id):
    with pytest.raises(errors.NotFound):
        actions.do_register(players[0], tournament_id)
    with pytest.raises(errors.NotFound):
        actions.do_unregister(players[0], tournament_id)


def test_the_pool_follows_what_each_entry_paid(sng, players):
    actions.do_register(players[0], sng.pk)
    actions.do_unregister(players[0], sng.pk)
    actions.do_update_tournament(sng.pk, buy_in=300, fee=30)
    actions.do_register(players[1], sng.pk)
    actions.do_register(players[2], sng.pk)
    assert pool(sng) == 600 and house() == 60
    assert Tournament.objects.get(pk=sng.pk).field() == (2, 600)
    assert list(Entry.objects.filter(tournament=sng).values_list("buy_in", flat=True)) == [100, 300, 300]
