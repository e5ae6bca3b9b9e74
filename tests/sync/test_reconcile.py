"""One reconciler pass finds each drift injected on purpose, mends it through an action, or reports it."""

from __future__ import annotations

import copy
import logging
import random

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from lobby.directory import timer_key
from lobby.models import Lobby, RowChange
from pokerrt.realtime import presence
from pokerrt.realtime.models import Connection, Discrepancy, Event, Node
from pokerrt.realtime.reconcile import Outcome, reconcile
from pokerrt.realtime.streams import event_frame
from pokerrt.realtime.validation import validate
from pokerrt.timers.models import Deadline
from tables import actions, live
from tables.engine import Deck, HandConfig
from tables.engine import Hand as EngineHand
from tables.lobby_rows import row_of_item
from tables.models import Seat, Table, TableStatus
from tables.snapshots import table_snapshot
from tests.tables.helpers import current_hand, fire_now, last_seq, passive, play_out, random_bot, table_events
from tests.tables.table_state import apply

pytestmark = pytest.mark.django_db


def replays(table, do):
    """Run ``do``: the TABLE events it emitted carry a subscriber's snapshot before to the snapshot after."""
    seq, state = last_seq(table), table_snapshot(str(table.pk))
    result = do()
    for event in table_events(table, seq):
        state = apply(state, event_frame(event))
    assert state == table_snapshot(str(table.pk))
    return result


def outcomes(findings):
    return sorted((f.problem.target, f.problem.rule, f.outcome) for f in findings)


def send_lobby_rows(lobby):
    """Fire every pending send of the lobby's directory rows, as the coalescer's wake-ups would, interval past."""
    Lobby.objects.filter(pk=lobby.pk).update(rows_sent_at=None)
    for key in Deadline.objects.pending().filter(key__startswith=f"lobby:{lobby.pk}:").values_list("key", flat=True):
        fire_now(key)


def test_a_lost_action_clock_is_armed_again_and_the_table_told(table, seated):
    # given: a hand waiting on a player whose clock row is gone
    hand = actions.do_start_hand(table.pk)
    Deadline.objects.filter(key=f"table:{table.pk}:action").delete()
    seq = last_seq(table)
    # when
    findings = replays(table, reconcile)
    # then
    assert outcomes(findings) == [("TABLE", "deadline_armed", Outcome.MENDED)]
    clock = Deadline.objects.pending().get(key=f"table:{table.pk}:action")
    assert clock.payload["hand_id"] == hand.pk
    [event] = table_events(table, seq)
    dealt = live.engine_hand(current_hand(table))
    assert event.type == "TABLE_UPDATE" and event.data["to_act"]["seat"] == dealt.to_act()
    assert event.data["to_act"]["deadline"] is not None
    assert validate("TABLE", table.pk) == []
    # and the re-armed clock acts as the lost one would have
    assert fire_now(f"table:{table.pk}:action")


def test_ghost_presence_of_a_dead_node_is_dropped_with_the_disconnect_it_owes(table, seated):
    # given: a node that died holding ann's only socket, and a live node holding ben's
    ann, ben = seated[0], seated[1]
    Node.objects.create(name="alive", last_seen=timezone.now())
    Connection.objects.create(channel_name="ghost!1", user=ann, node="crashed")
    Connection.objects.create(channel_name="live!1", user=ben, node="alive")
    seq = last_seq(table)
    # when
    findings = reconcile()
    # then
    assert outcomes(findings) == [("PLAYER", "presence_live", Outcome.MENDED)]
    assert list(Connection.objects.values_list("channel_name", flat=True)) == ["live!1"]
    disconnects = [e for e in table_events(table, seq) if e.type == "PLAYER_DISCONNECT"]
    assert [e.data["user"]["id"] for e in disconnects] == [str(ann.pk)]
    assert Seat.objects.get(table=table, user=ann).disconnected_at is not None
    assert reconcile() == []


def test_a_row_of_a_socket_this_node_no_longer_holds_is_closed_with_its_disconnect(table, seated):
    # given: this process is a live node holding ben's socket; ann's row outlived hers
    ann, ben = seated[0], seated[1]
    here = presence.node_name()
    Node.objects.create(name=here, last_seen=timezone.now())
    Connection.objects.create(channel_name="gone!1", user=ann, node=here)
    Connection.objects.create(channel_name="open!1", user=ben, node=here)
    presence._open["open!1"] = ben
    seq = last_seq(table)
    try:
        # when
        findings = reconcile()
    finally:
        presence._open.pop("open!1", None)
    # then
    assert outcomes(findings) == [("PLAYER", "presence_live", Outcome.MENDED)]
    assert list(Connection.objects.values_list("channel_name", flat=True)) == ["open!1"]
    assert [e.type for e in table_events(table, seq)] == ["PLAYER_DISCONNECT"]


def test_a_corrupt_cached_hand_is_evicted_and_the_table_told_who_acts(table, seated):
    # given: this process's cached hand says ann started with 100 chips more
    hand = actions.do_start_hand(table.pk)
    dealt = live.engine_hand(hand)
    config = copy.deepcopy(hand.config)
    config["seats"][0]["stack"] += 100
    live.remember(hand, EngineHand.replay(HandConfig.from_dict(config), Deck.from_dict(hand.deck), list(dealt.actions)))
    seq = last_seq(table)
    # when: subscribers that got the cached stacks get the log's
    findings = replays(table, reconcile)
    # then
    assert outcomes(findings) == [("TABLE", "live_cache_matches_log", Outcome.MENDED)]
    assert live.engine_hand(hand).stacks == dealt.stacks
    [event] = table_events(table, seq)
    assert event.type == "TABLE_UPDATE" and event.data["to_act"]["seat"] == dealt.to_act()


def test_a_lobby_row_that_missed_its_update_is_sent_again(lobby, table, players):
    # given: the row went out once; a join changed it, and the change was lost
    send_lobby_rows(lobby)
    actions.do_join_table(players[0], table.pk, 500)
    RowChange.objects.filter(lobby_id=lobby.pk).delete()
    # when
    findings = reconcile()
    # then
    assert outcomes(findings) == [("LOBBY", "rows_match_truth", Outcome.MENDED)]
    send_lobby_rows(lobby)
    update = Event.objects.filter(target="LOBBY", stream_id=str(lobby.pk), type="LOBBY_UPDATE").order_by("seq").last()
    assert update.data["tables"] == [row_of_item(str(table.pk))[1]]
    assert reconcile() == []


def test_a_lobby_change_whose_send_was_lost_is_scheduled_again(lobby, table, players):
    # given: a change waiting with no deadline to send it
    send_lobby_rows(lobby)
    actions.do_join_table(players[0], table.pk, 500)
    Deadline.objects.filter(key=timer_key(lobby.pk, "tables", str(table.pk))).delete()
    # when
    findings = reconcile()
    # then
    assert outcomes(findings) == [("LOBBY", "row_update_due", Outcome.MENDED)]
    assert Deadline.objects.pending().filter(key=timer_key(lobby.pk, "tables", str(table.pk))).exists()
    send_lobby_rows(lobby)
    update = Event.objects.filter(target="LOBBY", stream_id=str(lobby.pk), type="LOBBY_UPDATE").order_by("seq").last()
    assert update.data["tables"][0]["players"] == 1


def test_chips_that_do_not_match_the_ledger_are_reported_not_mended(table, seated, caplog):
    # given: a seat holds 50 chips the table account never received
    Seat.objects.filter(table=table, user=seated[0]).update(stack=F("stack") + 50)
    seq = last_seq(table)
    # when
    with caplog.at_level(logging.ERROR, logger="pokerrt.realtime.reconcile"):
        findings = reconcile()
        reconcile()
    # then
    assert outcomes(findings) == [("TABLE", "chips_match_ledger", Outcome.REPORTED)]
    assert last_seq(table) == seq
    [row] = Discrepancy.objects.all()
    assert (row.target, row.stream_id, row.rule, row.times_seen) == ("TABLE", str(table.pk), "chips_match_ledger", 2)
    assert "seat stacks 3050 but table account 3000" in caplog.text
    Seat.objects.filter(table=table, user=seated[0]).update(stack=F("stack") - 50)


def test_the_command_looks_without_changing_on_a_dry_run_and_mends_otherwise(table, seated, capsys):
    actions.do_start_hand(table.pk)
    Deadline.objects.filter(key=f"table:{table.pk}:action").delete()
    call_command("reconcile", "--dry-run")
    assert "found" in capsys.readouterr().out and not Deadline.objects.filter(key__endswith=":action").exists()
    call_command("reconcile")
    out = capsys.readouterr().out
    assert "mended" in out and "deadline_armed" in out
    call_command("reconcile", "--mend")
    assert "no drift found" in capsys.readouterr().out


def test_a_clean_platform_after_played_hands_reports_nothing(lobby, table, players):
    # given: hands played to their ends and mid-hand, players connected to a live node
    Node.objects.create(name="alive", last_seen=timezone.now())
    for n, player in enumerate(players[:4]):
        actions.do_join_table(player, table.pk, 800)
        Connection.objects.create(channel_name=f"live!{n}", user=player, node="alive")
    rng = random.Random(17)
    bot = random_bot(rng)

    def cautious(legal, dealt):
        """The random bot, never all in: with shuffled decks, busted players could leave none to deal to."""
        return bot([action for action in legal if action != "all_in"] or legal, dealt)

    for choose in (passive, cautious, cautious):
        actions.do_start_hand(table.pk)
        play_out(table, choose)
        send_lobby_rows(lobby)
    actions.do_start_hand(table.pk)
    # when / then
    assert reconcile() == []
    assert not Discrepancy.objects.exists()


def test_a_mend_that_fails_leaves_its_problem_reported(table, seated, monkeypatch):
    # given: a lost clock, and a mend that breaks
    from pokerrt.realtime import validation
    from tables.validation import REARM_ACTION_CLOCK

    def broken(problem):
        raise RuntimeError("the broker is away")

    monkeypatch.setitem(validation._mends, REARM_ACTION_CLOCK, broken)
    actions.do_start_hand(table.pk)
    Deadline.objects.filter(key=f"table:{table.pk}:action").delete()
    # when
    findings = reconcile()
    # then
    assert outcomes(findings) == [("TABLE", "deadline_armed", Outcome.REPORTED)]
    assert Discrepancy.objects.get().rule == "deadline_armed"


def test_a_seat_left_at_a_closed_table_is_reported_on_its_player_stream(table, seated):
    # given: the table closed without cashing the seat out
    player = str(seated[0].pk)
    assert validate("PLAYER", player) == []
    number = Seat.objects.get(table=table, user=seated[0]).number
    Table.objects.filter(pk=table.pk).update(status=TableStatus.CLOSED)
    # when
    problems = validate("PLAYER", player)
    # then
    assert [(p.rule, p.message) for p in problems] == [
        ("seats_exist", f"lists seat {number} of table {table.pk}, which is closed")]


def test_the_periodic_pass_rests_between_streams_so_its_checks_take_a_tenth_of_its_time(table, seated, monkeypatch):
    # given: a clock on which each stream's checks take 10 ms, and a sleep that only records
    from pokerrt.realtime import reconcile as reconciler
    from pokerrt.realtime.validation import active_streams, validated_targets

    ticks = iter(range(10**6))
    monkeypatch.setattr(reconciler.time, "perf_counter", lambda: next(ticks) * 0.01)
    rests = []
    monkeypatch.setattr(reconciler.time, "sleep", rests.append)
    streams = sum(len(active_streams(target)) for target in validated_targets())
    # when
    assert reconciler.reconcile_pass() == 0
    # then: 90 ms of rest after each stream's 10 ms, none when a pass is run by hand
    assert streams >= 1 and rests == pytest.approx([0.09] * streams)
    rests.clear()
    reconcile()
    assert rests == []
