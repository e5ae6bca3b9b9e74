"""``to_act.turn`` numbers a hand's decisions; an answer to a decision that is over changes nothing."""

import pytest

from pokerrt import errors
from pokerrt.realtime import processor
from pokerrt.realtime.envelope import Command
from pokerrt.realtime.models import Event
from tables import actions, live
from tables.models import HandAction
from tables.snapshots import table_snapshot

from .helpers import fire_now, table_events, user_at

pytestmark = pytest.mark.django_db


def send(user, table_id, data):
    return processor.process(Command("PLAYER_ACTION", "TABLE", str(table_id), data), user)


def asked(table, after=0):
    """The ``to_act`` of each TABLE event after seq ``after`` that carries one."""
    return [e.data["to_act"] for e in table_events(table, after) if e.data.get("to_act")]


def test_decisions_are_numbered_from_one_and_blinds_are_not_decisions(table, seated):
    hand = actions.do_start_hand(table.pk)
    assert [a["turn"] for a in asked(table)] == [1, 1]  # HAND_START, then its DEAL_CARDS
    seq = table_events(table)[-1].seq
    for turn, (seat, action) in enumerate([(1, "call"), (2, "call"), (3, "check")], start=1):
        send(user_at(hand, seat), table.pk, {"action": action, "hand_id": str(hand.pk), "turn": turn})
    assert [a["turn"] for a in asked(table, seq)] == [2, 3, 4]
    assert table_snapshot(str(table.pk))["hand"]["to_act"]["turn"] == 4


def test_the_turn_comes_from_the_log_so_a_rebuilt_hand_has_the_same(table, seated):
    hand = actions.do_start_hand(table.pk)
    send(user_at(hand, 1), table.pk, {"action": "call"})
    before = table_snapshot(str(table.pk))["hand"]["to_act"]
    # when: the process restarts (its cache of live hands is gone)
    live.forget(hand)
    # then
    assert table_snapshot(str(table.pk))["hand"]["to_act"] == before
    assert before["turn"] == 2


def test_the_time_bank_announces_the_same_turn_with_a_new_deadline(table, seated):
    actions.do_start_hand(table.pk)
    first = asked(table)[-1]
    # when
    assert fire_now(f"table:{table.pk}:action")
    # then
    bank = table_events(table)[-1]
    assert bank.type == "TABLE_UPDATE" and "time_bank" in bank.data
    assert bank.data["to_act"]["turn"] == first["turn"]
    assert bank.data["to_act"]["deadline"] != first["deadline"]


def test_a_second_check_meant_for_preflop_is_a_conflict_on_the_flop(table, seated):
    hand = actions.do_start_hand(table.pk)
    send(user_at(hand, 1), table.pk, {"action": "call", "hand_id": str(hand.pk), "turn": 1})
    send(user_at(hand, 2), table.pk, {"action": "fold", "hand_id": str(hand.pk), "turn": 2})
    big_blind = user_at(hand, 3)
    check = {"action": "check", "hand_id": str(hand.pk), "turn": 3}
    send(big_blind, table.pk, check)
    assert table_snapshot(str(table.pk))["hand"]["to_act"]["seat"] == 3  # first on the flop
    events, logged = Event.objects.count(), HandAction.objects.filter(hand=hand).count()
    # when: the same click arrives again
    with pytest.raises(errors.Conflict):
        send(big_blind, table.pk, check)
    # then
    assert Event.objects.count() == events
    assert HandAction.objects.filter(hand=hand).count() == logged


def test_an_answer_for_a_hand_that_is_over_is_a_conflict(table, seated):
    over = actions.do_start_hand(table.pk)
    late = user_at(over, 1)
    send(late, table.pk, {"action": "fold"})
    send(user_at(over, 2), table.pk, {"action": "fold"})
    hand = actions.do_start_hand(table.pk)
    events = Event.objects.count()
    # when: seat 1's click for the first hand, turn 1, arrives as the next hand waits for its turn 1
    with pytest.raises(errors.Conflict):
        send(late, table.pk, {"action": "call", "hand_id": str(over.pk), "turn": 1})
    # then
    assert Event.objects.count() == events
    assert not HandAction.objects.filter(hand=hand).exists()


def test_without_hand_id_and_turn_an_action_still_counts(table, seated):
    hand = actions.do_start_hand(table.pk)
    send(user_at(hand, 1), table.pk, {"action": "call"})
    assert HandAction.objects.filter(hand=hand).count() == 1


@pytest.mark.parametrize(
    "decision",
    [{"hand_id": "+1"}, {"hand_id": " 1"}, {"hand_id": "0001"}, {"hand_id": "١"}, {"hand_id": -1},
     {"hand_id": True}, {"turn": 0}, {"turn": "1"}, {"turn": 1.0}, {"turn": True}],
)
def test_a_malformed_hand_id_or_turn_is_validation(table, seated, decision):
    hand = actions.do_start_hand(table.pk)
    with pytest.raises(errors.Validation) as refused:
        send(user_at(hand, 1), table.pk, {"action": "call", **decision})
    assert set(refused.value.details) == set(decision)
    assert not HandAction.objects.filter(hand=hand).exists()
