"""Seating policies: the one place where kinds of tables differ, asked by every seat change."""

import pytest
from django.db import transaction

from pokerrt import errors
from pokerrt.accounts.actions import account_for, do_transfer, wallet_of
from pokerrt.accounts.audit import audit
from pokerrt.accounts.models import AccountKind, LedgerEntry, Reason
from pokerrt.realtime.models import Event
from pokerrt.timers.models import Deadline
from tables import actions, policies
from tables.models import Seat, TableKind
from tests.realtime.consistency import assert_events_replay

from .helpers import play_out
from .scripted import deal_next

pytestmark = pytest.mark.django_db


class PoolPolicy(policies.CashPolicy):
    """As a tournament might seat players: chips from its prize pool, back to it, nobody stood up for busting.

    The hooks it does not override (leaving, holding hands, blinds, hand ends) are the cash game's.
    """

    def __init__(self):
        self.busted = []

    def check_buy_in(self, table, amount):
        pass

    def buy_in(self, table, seat, user, amount):
        do_transfer(account_for(AccountKind.POOL, 1), account_for(AccountKind.TABLE, table.pk), amount,
                    Reason.PRIZE)
        return None

    def stand_up(self, table, seat):
        if seat.stack:
            do_transfer(account_for(AccountKind.TABLE, table.pk), account_for(AccountKind.POOL, 1), seat.stack,
                        Reason.UNREGISTER)
        return None

    def sit_out_seconds(self, table):
        return None

    def after_hand_bust(self, table, seat, hand):
        self.busted.append((seat.number, hand.pk))
        return False


@pytest.fixture
def tournament_table(lobby):
    return actions.do_create_table(lobby, "Final table", kind=TableKind.TOURNAMENT, small_blind=5, big_blind=10,
                                   min_buy_in=100, max_buy_in=2000)


@pytest.fixture
def pool_policy(monkeypatch, make_user):
    """PoolPolicy seats the tournament tables for this test; its pool holds 5,000 chips."""
    with transaction.atomic():
        do_transfer(wallet_of(make_user("organiser")), account_for(AccountKind.POOL, 1), 5000, Reason.REGISTER)
    policy = PoolPolicy()
    monkeypatch.setitem(policies._policies, TableKind.TOURNAMENT, policy)
    return policy


def test_players_cannot_join_a_table_whose_kind_has_no_policy(tournament_table, players):
    events, entries = Event.objects.count(), LedgerEntry.objects.count()
    with pytest.raises(errors.Forbidden):
        actions.do_join_table(players[0], tournament_table.pk, 500)
    assert (Event.objects.count(), LedgerEntry.objects.count()) == (events, entries)
    assert not Seat.objects.filter(user=players[0]).exists()


def test_cash_tables_buy_in_from_the_wallet_by_their_policy(table):
    policy = policies.policy_for(table)
    assert isinstance(policy, policies.CashPolicy)
    with pytest.raises(errors.Validation):
        policy.check_buy_in(table, table.max_buy_in + 1)


def test_a_registered_policy_brings_the_chips_in_and_takes_them_away(tournament_table, players, pool_policy):
    ann = players[0]
    # when: seated through the policy, which touches no wallet
    events = assert_events_replay("PLAYER", ann.pk, ann, lambda: actions.do_join_table(ann, tournament_table.pk, 1500))
    # then: the chips came from the pool, and the player's stream says no balance changed
    assert wallet_of(ann).balance == 10_000
    assert account_for(AccountKind.POOL, 1).balance == 3500
    assert [(e["type"], e["data"]) for e in events] == [
        ("TABLE_JOIN", {"table_id": str(tournament_table.pk), "seat": 1, "stack": 1500})]
    # and standing up hands them back to the policy
    events = assert_events_replay("PLAYER", ann.pk, ann, lambda: actions.do_leave_table(ann, tournament_table.pk))
    assert [(e["type"], e["data"]) for e in events] == [
        ("TABLE_LEAVE", {"table_id": str(tournament_table.pk), "seat": 1, "stack": 1500})]
    assert account_for(AccountKind.POOL, 1).balance == 5000
    assert audit() == []


def test_sitting_out_runs_out_only_where_the_policy_says(table, tournament_table, players, pool_policy):
    actions.do_join_table(players[0], table.pk, 500)
    actions.do_join_table(players[1], tournament_table.pk, 500)
    actions.do_sit_out(players[0], table.pk)
    actions.do_sit_out(players[1], tournament_table.pk)
    assert Deadline.objects.filter(key=f"table:{table.pk}:seat:1:sit_out").exists()
    assert not Deadline.objects.filter(key=f"table:{tournament_table.pk}:seat:1:sit_out").exists()


def test_a_busted_player_stays_seated_where_the_policy_says(tournament_table, players, pool_policy, monkeypatch):
    # given: three players all in, seat 3 holding the best hand and the most chips
    deal_next(monkeypatch, {1: "KsKh", 2: "QsQh", 3: "AsAh"}, "2c7d9h4s3d", button=1)
    for player, stack in zip(players[:3], (100, 300, 600), strict=True):
        actions.do_join_table(player, tournament_table.pk, stack)
    hand = actions.do_start_hand(tournament_table.pk)
    # when
    play_out(tournament_table, lambda legal, dealt: ("all_in", None) if "all_in" in legal else ("call", None))
    # then: the policy was asked about each busted seat of that hand, and kept them seated
    assert pool_policy.busted == [(1, hand.pk), (2, hand.pk)]
    stacks = {s.number: s.stack for s in Seat.objects.filter(table=tournament_table, user__isnull=False)}
    assert stacks == {1: 0, 2: 0, 3: 1000}
    assert actions.do_start_hand(tournament_table.pk) is None  # one player with chips: no hand
