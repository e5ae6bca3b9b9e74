"""Table paths normal play seldom takes: a stale clock, missed blinds, a sit-out that expires
mid-hand, leaving after a fold, deleting a table during a hand, staff changes and their events.
"""

import pytest
from django.utils import timezone

from pokerrt import errors
from pokerrt.accounts.actions import wallet_of
from pokerrt.accounts.audit import audit
from pokerrt.realtime.models import Event
from pokerrt.realtime.streams import event_frame
from pokerrt.realtime.validation import validate
from pokerrt.timers import fire
from pokerrt.timers.models import Deadline
from tables import actions, live
from tables.models import HandAction, Seat, SeatStatus, Table, TableStatus
from tables.snapshots import table_info, table_snapshot

from .helpers import current_hand, fire_now, last_seq, passive, play_out, table_events, user_at
from .table_state import apply

pytestmark = pytest.mark.django_db


def fold_to_the_big_blind(legal, dealt):
    return ("fold", None) if "fold" in legal else ("check", None)


def rebuilt_from_events(table, step):
    """(snapshot before + the events ``step`` emitted, snapshot after): a client's view and the truth."""
    state, seq = table_snapshot(str(table.pk)), last_seq(table)
    step()
    for event in table_events(table, seq):
        state = apply(state, event_frame(event))
    return state, table_snapshot(str(table.pk))


# --- The action clock ---------------------------------------------------------------------------------


def test_a_stale_action_clock_wake_up_changes_nothing(table, seated):
    # given: the clock armed for seat 1's decision
    hand = actions.do_start_hand(table.pk)
    clock = Deadline.objects.get(key=f"table:{table.pk}:action")
    # when: seat 1 acts, and a wake-up of the clock's old version comes anyway
    actions.do_player_action(user_at(hand, 1), table.pk, "call")
    Deadline.objects.filter(key=clock.key).update(due_at=timezone.now(), version=clock.version + 1)
    seq = last_seq(table)
    # then: it finds the version changed and does nothing
    assert not fire(clock.key, clock.version)
    assert last_seq(table) == seq
    assert HandAction.objects.filter(hand=hand).count() == 1


def test_the_clock_going_off_before_the_hands_deadline_is_set_for_it_and_changes_nothing(table, seated):
    # given: the clock armed for seat 1's decision; seat 1 acts within it
    hand = actions.do_start_hand(table.pk)
    key = f"table:{table.pk}:action"
    actions.do_player_action(user_at(hand, 1), table.pk, "call")
    # then: the timer is left as it was, earlier than seat 2's deadline (no write per action)
    hand.refresh_from_db()
    timer = Deadline.objects.get(key=key)
    assert timer.is_pending and timer.due_at < hand.action_deadline
    # when: the timer goes off at its time, before seat 2's deadline
    Deadline.objects.filter(key=key).update(due_at=timezone.now() - timezone.timedelta(milliseconds=1))
    seq = last_seq(table)
    assert fire(key, timer.version)
    # then: seat 2's time is untouched: no time bank, no action taken for them, nothing told
    hand.refresh_from_db()
    assert last_seq(table) == seq
    assert hand.bank_started_at is None
    assert HandAction.objects.filter(hand=hand).count() == 1
    assert live.engine_hand(hand).to_act() == 2
    # and: the timer is set again, for seat 2's deadline
    timer = Deadline.objects.get(key=key)
    assert timer.is_pending and timer.due_at == hand.action_deadline
    assert validate("TABLE", table.pk) == []
    # and: when that comes, it runs seat 2's time bank
    fire_now(key)
    update = table_events(table, seq)[-1]
    assert (update.type, update.data["time_bank"]) == ("TABLE_UPDATE", {"seat": 2, "seconds": 30})


def test_after_a_time_bank_the_next_players_clock_is_set_again(table, seated):
    # given: seat 1's time bank running (its timer set for the bank's end)
    hand = actions.do_start_hand(table.pk)
    key = f"table:{table.pk}:action"
    fire_now(key)
    hand.refresh_from_db()
    assert hand.bank_started_at is not None
    # when: seat 1 acts in its time bank
    actions.do_player_action(user_at(hand, 1), table.pk, "call")
    # then: the timer goes off at seat 2's deadline, not the bank's later end
    hand.refresh_from_db()
    assert Deadline.objects.get(key=key).due_at == hand.action_deadline
    assert validate("TABLE", table.pk) == []


def test_when_the_clock_acts_for_a_player_the_next_players_clock_is_set(table, seated):
    # given: seat 1 to act, with no time bank left
    hand = actions.do_start_hand(table.pk)
    key = f"table:{table.pk}:action"
    Seat.objects.filter(table=table).update(time_bank_left=0)
    # when: its clock runs out (the timer goes off and acts)
    assert fire_now(key)
    # then: seat 2's clock runs, its timer set for seat 2's deadline
    hand.refresh_from_db()
    assert list(HandAction.objects.filter(hand=hand).values_list("seat", "auto")) == [(1, True)]
    timer = Deadline.objects.get(key=key)
    assert timer.is_pending and timer.due_at == hand.action_deadline
    assert validate("TABLE", table.pk) == []


# --- Missed blinds ----------------------------------------------------------------------------------------


def test_blinds_missed_while_sitting_out_are_saved_on_the_seat_and_posted_on_return(table, players):
    for player in players[:4]:
        actions.do_join_table(player, table.pk, 1000)
    fourth = players[3]
    # hand 1: button 1, blinds 2 and 3
    actions.do_start_hand(table.pk)
    actions.do_sit_out(fourth, table.pk)
    play_out(table, fold_to_the_big_blind)
    # when: hand 2 passes seat 4's big blind (button 2, blinds 3 and 1) while it sits out
    hand = actions.do_start_hand(table.pk)
    assert "4" not in hand.players
    # then: the seat owes both blinds
    assert Seat.objects.get(table=table, number=4).owes == "both"
    play_out(table, fold_to_the_big_blind)
    # when: back in, it waits while the button passes (hand 3: button 3, blinds 1 and 2)
    actions.do_sit_in(fourth, table.pk)
    hand = actions.do_start_hand(table.pk)
    assert "4" not in hand.players
    assert Seat.objects.get(table=table, number=4).owes == "both"
    play_out(table, fold_to_the_big_blind)
    # then: in hand 4 it posts a dead small blind and a live big blind, and owes nothing more;
    # the dead blind goes straight into the pot, and a client's view shows it there
    seen, truth = rebuilt_from_events(table, lambda: actions.do_start_hand(table.pk))
    [pot] = truth["hand"]["pots"]
    assert (pot["amount"], sorted(pot["seats"])) == (5, [1, 2, 3, 4])
    assert seen == truth
    hand = current_hand(table)
    assert "4" in hand.players
    posts = [(e.data["action"], e.data["amount"], e.data.get("dead", False))
             for e in table_events(table) if e.type == "PLAYER_ACTION"
             and e.data["hand_id"] == str(hand.pk) and e.data["seat"] == 4]
    assert posts == [("post_small_blind", 5, True), ("post_big_blind", 10, False)]
    assert Seat.objects.get(table=table, number=4).owes == "none"
    assert live.engine_hand(hand).stacks[4] == 985


# --- Sitting out too long, leaving, during a hand ------------------------------------------------------------


def test_a_sit_out_expiring_mid_hand_stands_the_player_up_when_the_hand_ends(table, seated):
    # given: seat 1 sits out while dealt into a hand, and its sit-out time runs out during it
    hand = actions.do_start_hand(table.pk)
    first = user_at(hand, 1)
    actions.do_sit_out(first, table.pk)
    assert fire_now(f"table:{table.pk}:seat:1:sit_out")
    # then: it keeps its seat and cards until the hand ends
    seat = Seat.objects.get(table=table, number=1)
    assert (seat.user_id, seat.leaving, seat.status) == (first.pk, True, SeatStatus.SITTING_OUT)
    assert wallet_of(first).balance == 9_000
    assert not any(e.type == "TABLE_LEAVE" for e in table_events(table))
    # when: the hand ends
    ended = play_out(table, passive)
    # then: stood up with the hand's final stack, cashed out
    final = next(s["stack"] for s in ended.result["stacks"] if s["seat"] == 1)
    assert not Seat.objects.filter(user=first).exists()
    assert wallet_of(first).balance == 9_000 + final
    left = [e.data for e in table_events(table) if e.type == "TABLE_LEAVE"]
    assert left == [{"seat": 1, "user": {"id": str(first.pk), "username": first.username}, "stack": final}]


def test_a_sit_out_expiring_mid_hand_is_told_to_the_table(table, seated):
    hand = actions.do_start_hand(table.pk)
    actions.do_sit_out(user_at(hand, 1), table.pk)
    rebuilt, real = rebuilt_from_events(table, lambda: fire_now(f"table:{table.pk}:seat:1:sit_out"))
    assert rebuilt == real


def test_a_sit_out_expiring_for_a_player_not_dealt_in_stands_them_up_at_once(table, seated):
    # given: seat 3 sat out before the deal, so the hand in play is not theirs
    actions.do_sit_out(seated[2], table.pk)
    hand = actions.do_start_hand(table.pk)
    assert "3" not in hand.players
    # when
    assert fire_now(f"table:{table.pk}:seat:3:sit_out")
    # then: cashed out now, the hand plays on
    assert not Seat.objects.filter(user=seated[2]).exists()
    assert wallet_of(seated[2]).balance == 10_000
    assert current_hand(table).pk == hand.pk


def test_leaving_after_folding_mid_hand_cashes_out_what_is_left(table, seated):
    # given: seat 2 posted the small blind (5) and folded
    hand = actions.do_start_hand(table.pk)
    small_blind = user_at(hand, 2)
    actions.do_player_action(user_at(hand, 1), table.pk, "call")
    actions.do_player_action(small_blind, table.pk, "fold")
    # when: they leave before the hand ends
    actions.do_leave_table(small_blind, table.pk)
    play_out(table, passive)
    # then: 995 back in the wallet; the 5 stay in the pot
    assert wallet_of(small_blind).balance == 9_000 + 995
    assert audit() == []


# --- Deleting a table -------------------------------------------------------------------------------------


def test_deleting_a_table_during_a_hand_is_refused_and_changes_nothing(table, seated):
    hand = actions.do_start_hand(table.pk)
    events = Event.objects.count()
    with pytest.raises(errors.Conflict, match="hand is in play"):
        actions.do_delete_table(table.pk)
    # then: still open, everyone still seated, nothing said, the hand plays on
    assert Event.objects.count() == events
    assert Table.objects.get(pk=table.pk).status == TableStatus.OPEN
    assert Seat.objects.filter(table=table, user__isnull=False).count() == 3
    assert [wallet_of(p).balance for p in seated] == [9_000] * 3
    assert current_hand(table).pk == hand.pk
    ended = play_out(table, passive)
    # and: between hands the delete cashes everyone out with their final stacks
    actions.do_delete_table(table.pk)
    finals = {s["user"]["id"]: s["stack"] for s in ended.result["stacks"]}
    assert [wallet_of(p).balance for p in seated] == [9_000 + finals[str(p.pk)] for p in seated]
    deleted = table_events(table)[-1]
    assert (deleted.type, deleted.data["table"]["status"]) == ("TABLE_DELETE", "closed")
    assert Table.objects.get(pk=table.pk).status == TableStatus.CLOSED


# --- Staff changes: events and stored state ----------------------------------------------------------------------


def test_create_table_stores_the_settings_and_opens_the_stream_with_them(lobby):
    table = actions.do_create_table(lobby, "Fresh", max_seats=4, small_blind=25, big_blind=50, ante=5,
                                    min_buy_in=1000, max_buy_in=5000, action_seconds=15, time_bank_seconds=60)
    stored = Table.objects.get(pk=table.pk)
    assert (stored.name, stored.max_seats, stored.small_blind, stored.big_blind, stored.ante, stored.min_buy_in,
            stored.max_buy_in, stored.action_seconds, stored.time_bank_seconds, stored.status) == (
        "Fresh", 4, 25, 50, 5, 1000, 5000, 15, 60, TableStatus.OPEN)
    assert list(Seat.objects.filter(table=table).values_list("number", "status")) == [
        (n, SeatStatus.EMPTY) for n in (1, 2, 3, 4)]
    [created] = table_events(table)
    assert (created.seq, created.type) == (1, "TABLE_CREATE")
    assert created.data == {"table": {
        "id": str(table.pk), "name": "Fresh", "kind": "cash", "lobby_id": str(lobby.pk), "max_seats": 4,
        "small_blind": 25, "big_blind": 50, "ante": 5, "min_buy_in": 1000, "max_buy_in": 5000,
        "action_seconds": 15, "time_bank_seconds": 60, "status": "open"}}
    assert table_snapshot(str(table.pk))["table"] == created.data["table"]


def test_update_table_stores_the_settings_and_tells_the_stream(table, seated):
    rebuilt, real = rebuilt_from_events(
        table, lambda: actions.do_update_table(table.pk, name="Renamed", small_blind=10, big_blind=20, max_seats=8))
    assert rebuilt == real
    stored = Table.objects.get(pk=table.pk)
    assert (stored.name, stored.small_blind, stored.big_blind, stored.max_seats) == ("Renamed", 10, 20, 8)
    assert Seat.objects.filter(table=table).count() == 8
    update = table_events(table)[-1]
    assert update.type == "TABLE_UPDATE" and update.data == {"table": table_info(stored)}
    # the next hand is dealt at the new blinds
    hand = actions.do_start_hand(table.pk)
    assert (hand.config["small_blind"], hand.config["big_blind"]) == (10, 20)


def test_a_refused_update_changes_nothing(table, seated):
    actions.do_update_table(table.pk, max_seats=8)
    seq = last_seq(table)
    with pytest.raises(errors.Validation):
        actions.do_update_table(table.pk, small_blind=50, big_blind=20)
    with pytest.raises(errors.Conflict):
        actions.do_update_table(table.pk, max_seats=2)
    assert last_seq(table) == seq
    stored = Table.objects.get(pk=table.pk)
    assert (stored.small_blind, stored.big_blind, stored.max_seats) == (5, 10, 8)
    assert Seat.objects.filter(table=table).count() == 8
