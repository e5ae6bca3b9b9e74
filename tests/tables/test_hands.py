"""Hands at a cash table: dealt by the table, played through actions, settled on the seats."""

import threading

import pytest
from django.db import close_old_connections, connection

from pokerrt import errors
from pokerrt.realtime.models import Event
from pokerrt.timers.models import Deadline
from tables import actions, live
from tables.models import Hand, HandAction, HandStatus, Seat, SeatStatus

from .helpers import fire_now, passive, play_out, table_events, user_at

pytestmark = pytest.mark.django_db


def test_hand_start_events_commit_to_the_deck_and_name_who_acts(table, seated):
    before = table_events(table)[-1].seq
    hand = actions.do_start_hand(table.pk)
    events = table_events(table, before)
    assert [e.type for e in events] == ["HAND_START", "PLAYER_ACTION", "PLAYER_ACTION", "DEAL_CARDS"]
    start = events[0].data
    assert start["hand_id"] == str(hand.pk) and start["hand_no"] == 1
    assert len(start["deck_commitment"]) == 64 and start["deck_commitment"] == hand.commitment
    assert start["to_act"]["seat"] == 1 and start["to_act"]["to_call"] == 10
    assert [e.data["action"] for e in events[1:3]] == ["post_small_blind", "post_big_blind"]
    assert events[3].data["to_act"] == start["to_act"]
    assert "cards" not in events[3].data


def test_hole_cards_go_only_to_each_owners_player_stream(table, seated):
    hand = actions.do_start_hand(table.pk)
    dealt = live.engine_hand(hand)
    for player in seated:
        private = Event.objects.filter(target="PLAYER", stream_id=str(player.pk), type="DEAL_CARDS").get()
        seat = int(private.data["seat"])
        assert private.data["cards"] == dealt.hole_cards(seat)
        assert hand.players[str(seat)] == player.pk


def test_button_moves_and_hands_follow_each_other(table, seated):
    buttons = []
    for _ in range(4):
        hand = actions.do_start_hand(table.pk)
        buttons.append(hand.button)
        play_out(table, passive)
    assert buttons == [1, 2, 3, 1]
    assert Deadline.objects.filter(key=f"table:{table.pk}:next_hand", fired_at__isnull=True).exists()


def test_three_all_ins_of_different_sizes_make_side_pots(table, players):
    for player, stack in zip(players[:3], (100, 300, 600), strict=True):
        actions.do_join_table(player, table.pk, stack)
    hand = actions.do_start_hand(table.pk)

    def shove(legal, dealt):
        return ("all_in", None) if "all_in" in legal else ("call", None)

    ended = play_out(table, shove)
    pots = {w["pot"] for w in ended.result["winners"]}
    end = table_events(table)[-1] if table_events(table)[-1].type == "HAND_END" else next(
        e for e in reversed(table_events(table)) if e.type == "HAND_END")
    assert end.data["hand_id"] == str(hand.pk)
    # 100 from each into the main pot, 200 more from seats 2 and 3 into a side pot;
    # seat 3 cannot raise over two all-ins, so nothing is uncalled.
    assert sum(w["amount"] for w in end.data["winners"]) == 100 * 3 + 200 * 2
    assert pots <= {0, 1}
    assert sum(s["stack"] for s in end.data["stacks"]) == 1000
    showdown = next(e for e in table_events(table) if e.type == "SHOWDOWN")
    assert {h["seat"] for h in showdown.data["hands"]} == {1, 2, 3}  # all-in hands are shown


def test_uncalled_bet_is_returned(table, seated):
    hand = actions.do_start_hand(table.pk)
    actions.do_player_action(user_at(hand, 1), table.pk, "raise", 100)
    actions.do_player_action(user_at(hand, 2), table.pk, "fold")
    actions.do_player_action(user_at(hand, 3), table.pk, "fold")
    end = table_events(table)[-1] if table_events(table)[-1].type == "HAND_END" else None
    end = end or next(e for e in reversed(table_events(table)) if e.type == "HAND_END")
    assert end.data["uncalled"] == [{"seat": 1, "amount": 90}]
    assert {s["seat"]: s["stack"] for s in end.data["stacks"]} == {1: 1015, 2: 995, 3: 990}


def test_everyone_folds_to_the_big_blind(table, seated):
    actions.do_start_hand(table.pk)
    ended = play_out(table, lambda legal, dealt: ("fold", None))
    assert ended.result["winners"][0]["seat"] == 3
    assert ended.result["shown"] == {}
    assert not any(e.type == "SHOWDOWN" for e in table_events(table))


def test_a_betting_action_out_of_turn_is_not_your_turn_and_changes_nothing(table, seated):
    hand = actions.do_start_hand(table.pk)
    events, logged = Event.objects.count(), HandAction.objects.count()
    with pytest.raises(errors.NotYourTurn):
        actions.do_player_action(user_at(hand, 2), table.pk, "call")
    assert (Event.objects.count(), HandAction.objects.count()) == (events, logged)


@pytest.mark.parametrize(
    "action, amount",
    [("check", None), ("raise", 15), ("raise", 5000), ("bet", 40)],
)
def test_illegal_actions_are_refused_with_the_reason_and_change_nothing(table, seated, action, amount):
    hand = actions.do_start_hand(table.pk)
    events, logged = Event.objects.count(), HandAction.objects.count()
    with pytest.raises(errors.IllegalAction):
        actions.do_player_action(user_at(hand, 1), table.pk, action, amount)
    assert (Event.objects.count(), HandAction.objects.count()) == (events, logged)
    assert live.engine_hand(hand).to_act() == 1


def test_acting_with_no_hand_or_no_seat(table, seated, players):
    with pytest.raises(errors.Conflict):
        actions.do_player_action(seated[0], table.pk, "check")
    actions.do_start_hand(table.pk)
    with pytest.raises(errors.Forbidden):
        actions.do_player_action(players[5], table.pk, "check")
    with pytest.raises(errors.NotFound):
        actions.do_player_action(seated[0], 999_999, "check")


def test_clock_runs_into_the_time_bank_then_acts_for_the_player(table, seated):
    hand = actions.do_start_hand(table.pk)
    key = f"table:{table.pk}:action"
    # when: the action clock runs out
    assert fire_now(key)
    # then: the time bank starts (30 s), announced with the new deadline
    update = table_events(table)[-1]
    assert update.type == "TABLE_UPDATE" and update.data["time_bank"] == {"seat": 1, "seconds": 30}
    # when: the time bank runs out too
    assert fire_now(key)
    # then: the server folds for seat 1 (it faces the big blind) with auto: true
    folded = next(e for e in reversed(table_events(table)) if e.type == "PLAYER_ACTION")
    assert (folded.data["seat"], folded.data["action"], folded.data["auto"]) == (1, "fold", True)
    assert Seat.objects.get(table=table, number=1).time_bank_left == 0
    assert HandAction.objects.get(hand=hand, index=0).auto


def test_timeouts_in_a_row_sit_the_player_out(table, seated, settings):
    settings.POKERRT_TABLES = {**settings.POKERRT_TABLES, "TIMEOUTS_BEFORE_SIT_OUT": 1}
    Seat.objects.filter(table=table).update(time_bank_left=0)
    actions.do_start_hand(table.pk)
    assert fire_now(f"table:{table.pk}:action")
    assert Seat.objects.get(table=table, number=1).status == SeatStatus.SITTING_OUT


def test_a_restart_mid_hand_loses_nothing(table, seated):
    # given: a hand three actions in
    hand = actions.do_start_hand(table.pk)
    actions.do_player_action(user_at(hand, 1), table.pk, "raise", 30)
    actions.do_player_action(user_at(hand, 2), table.pk, "call")
    before = live.engine_hand(hand)
    board_before, stacks_before, to_act = before.board, before.stacks, before.to_act()
    # when: the process restarts (its cache is gone) and its timers are lost
    live._cache.clear()
    # then: the hand is rebuilt from its log, identical, and play goes on
    again = live.engine_hand(Hand.objects.get(pk=hand.pk))
    assert (again.board, again.stacks, again.to_act()) == (board_before, stacks_before, to_act)
    assert Deadline.objects.get(key=f"table:{table.pk}:action").is_pending
    ended = play_out(table, passive)
    assert ended.status == HandStatus.ENDED


@pytest.mark.django_db(transaction=True)
def test_two_actions_at_once_one_wins(lobby, make_user):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"] == ":memory:":
        pytest.skip("needs a database shared between threads")
    table = actions.do_create_table(lobby, "Race", small_blind=5, big_blind=10, min_buy_in=100)
    first, second = make_user("first"), make_user("second")
    actions.do_join_table(first, table.pk, 500)
    actions.do_join_table(second, table.pk, 500)
    hand = actions.do_start_hand(table.pk)
    to_act = user_at(hand, live.engine_hand(hand).to_act())
    outcomes = []
    barrier = threading.Barrier(2)

    def act():
        barrier.wait()
        try:
            actions.do_player_action(to_act, table.pk, "call")
            outcomes.append("ok")
        except (errors.NotYourTurn, errors.Conflict, errors.IllegalAction) as error:
            outcomes.append(error.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=act) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["NOT_YOUR_TURN", "ok"]
    assert HandAction.objects.filter(hand=hand).count() == 1


def test_a_rolled_back_hand_never_stands_in_for_the_next_one(table, seated, monkeypatch):
    # given: a hand dealt and cached here, in a transaction that then rolls back
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        ghost = actions.do_start_hand(table.pk)
        live.engine_hand(ghost)
        raise RuntimeError("the action failed after dealing")
    # when: the next hand is dealt by another node (nothing cached here for it),
    # possibly under the same id: SQLite reuses a rolled-back id
    monkeypatch.setattr(live, "remember", lambda hand, dealt: None)
    hand = actions.do_start_hand(table.pk)
    monkeypatch.undo()
    # then: this node plays the new hand's deck, not the ghost's
    dealt = live.engine_hand(hand)
    assert dealt.commitment() == hand.commitment != ghost.commitment
