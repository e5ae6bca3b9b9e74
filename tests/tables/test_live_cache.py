"""The live hand cache: used while it has replayed every action the hand row counts, replayed otherwise."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tables import actions, live
from tables.models import Hand, HandAction

from .helpers import current_hand, user_at

pytestmark = pytest.mark.django_db


def _to_act(table):
    hand = current_hand(table)
    dealt = live.engine_hand(hand)
    return hand, dealt, user_at(hand, dealt.to_act())


def test_an_action_counts_itself_on_the_hand_row(table, seated):
    actions.do_start_hand(table.pk)
    for taken in (1, 2):
        hand, dealt, user = _to_act(table)
        actions.do_player_action(user, table.pk, "call" if "call" in dealt.legal_actions() else "check")
        hand.refresh_from_db()
        assert hand.actions_taken == taken == HandAction.objects.filter(hand=hand).count()


def test_a_current_cache_entry_is_used_without_reading_the_log(table, seated):
    actions.do_start_hand(table.pk)
    hand, dealt, user = _to_act(table)
    actions.do_player_action(user, table.pk, "call")
    hand = Hand.objects.get(pk=hand.pk)
    with CaptureQueriesContext(connection) as queries:
        assert live.engine_hand(hand) is live._cache[(hand.pk, hand.commitment)]
    assert queries.captured_queries == []


def test_an_entry_behind_the_counter_is_replayed_from_the_log(table, seated):
    # given: this process caches the hand before any action ...
    actions.do_start_hand(table.pk)
    hand, before, user = _to_act(table)
    seat = before.to_act()
    # ... and another node calls (its own copy of the hand; the log and the counter move on)
    live.forget(hand)
    other = live.engine_hand(hand)
    live.remember(hand, before)
    other.act(seat, "call", None)
    HandAction.objects.create(hand=hand, index=0, seat=seat, action="call", amount=other.actions[-1].amount)
    Hand.objects.filter(pk=hand.pk).update(actions_taken=1)
    # when
    replayed = live.engine_hand(Hand.objects.get(pk=hand.pk))
    # then
    assert replayed is not before and len(before.actions) == 0
    assert len(replayed.actions) == 1 and replayed.to_act() == other.to_act() != seat


def test_a_rolled_back_action_does_not_leave_the_cache_ahead(table, seated, monkeypatch):
    actions.do_start_hand(table.pk)
    hand, dealt, user = _to_act(table)
    seat = dealt.to_act()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away mid-action")

    monkeypatch.setattr("tables.actions.hands.publish", broken)
    with pytest.raises(RuntimeError):
        actions.do_player_action(user, table.pk, "call")
    monkeypatch.undo()
    hand = Hand.objects.get(pk=hand.pk)
    assert hand.actions_taken == 0 and not HandAction.objects.filter(hand=hand).exists()
    # when: another node then records a different first action (the counter is 1 again)
    HandAction.objects.create(hand=hand, index=0, seat=seat, action="fold")
    Hand.objects.filter(pk=hand.pk).update(actions_taken=1)
    # then: this process does not take its rolled-back call for it
    replayed = live.engine_hand(Hand.objects.get(pk=hand.pk))
    assert [(a.seat, a.action) for a in replayed.actions] == [(seat, "fold")]
