"""The lobby's directory rows: what they hold, and how their changes are coalesced into LOBBY_UPDATEs.

Time is moved by hand (``HandClock``) and the lobby's deadlines are fired
when due, as their wake-ups would fire them: nothing here waits or depends
on the machine's speed.
"""

from __future__ import annotations

import itertools
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lobby import directory
from lobby.actions import do_update_lobby
from lobby.models import RowChange
from lobby.snapshots import lobby_snapshot
from pokerrt.timers.models import Deadline
from tables import actions
from tables.models import Table
from tests.realtime.consistency import assert_events_replay
from tests.tables.helpers import passive, play_out
from tournament.actions import do_create_tournament

from .helpers import TickingClock, lobby_updates, send_all_rows, send_due_rows

pytestmark = pytest.mark.django_db


def test_a_table_row_holds_its_settings_seats_and_hour_of_play(lobby, make_table, make_user, hand_clock):
    # given: a table with two players who played one hand, and a third sitting out
    table = make_table("Oak", ante=1)
    ann, ben, cat = make_user("ann"), make_user("ben"), make_user("cat")
    for player in (ann, ben, cat):
        actions.do_join_table(player, table.pk, 1000)
    actions.do_sit_out(cat, table.pk)
    actions.do_start_hand(table.pk)
    hand = play_out(table, passive)
    # when
    send_all_rows(hand_clock)
    # then
    [row] = lobby_snapshot(str(lobby.pk))["tables"]
    assert row == {
        "id": str(table.pk), "name": "Oak", "kind": "cash", "max_seats": 6, "players": 3,
        "small_blind": 5, "big_blind": 10, "ante": 1, "min_buy_in": 100, "max_buy_in": 2000,
        "status": "open", "waiting": 1, "hands_per_hour": 1, "average_pot": hand.pot,
    }
    assert hand.pot == 22  # two antes, the big blind called


def test_closed_tables_and_other_lobbies_tables_are_not_listed(lobby, make_table):
    from lobby.actions import do_create_lobby

    kept, closed = make_table("Kept"), make_table("Closed")
    actions.do_delete_table(closed.pk)
    actions.do_create_table(do_create_lobby("High stakes"), "Elsewhere")
    assert [row["name"] for row in lobby_snapshot(str(lobby.pk))["tables"]] == [kept.name]


def test_a_tournament_row_from_the_model(lobby):
    tournament = do_create_tournament(lobby, "Sunday 100", buy_in=100, max_players=18, payout_percentages=[65, 35])
    [row] = lobby_snapshot(str(lobby.pk))["tournaments"]
    assert row == {"id": str(tournament.pk), "name": "Sunday 100", "kind": "sng", "status": "registering",
                   "registered": 0, "max_players": 18, "buy_in": 100, "fee": 0, "prize_pool": 0,
                   "starts_at": None, "level": None}


def test_marking_a_change_writes_neither_the_lobby_nor_its_stream(lobby, make_table, make_user):
    """A seat change must not lock anything the lobby's other tables share."""
    table = make_table()
    ann = make_user("ann")
    with CaptureQueriesContext(connection) as queries:
        actions.do_join_table(ann, table.pk, 500)
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert any("lobby_rowchange" in sql for sql in writes)
    assert not [sql for sql in writes if '"lobby_lobby"' in sql]
    assert not [sql for sql in writes if "realtime_stream" in sql and "'LOBBY'" in sql]
    assert RowChange.objects.filter(lobby_id=lobby.pk, section="tables", item_id=str(table.pk)).count() == 2


def test_a_burst_of_100_seat_changes_over_10_tables_gives_a_handful_of_updates(
    lobby, make_table, make_user, hand_clock
):
    # given: ten tables and twenty players; one LOBBY_UPDATE already told the tables
    tables = [make_table(f"T{n}") for n in range(10)]
    players = [make_user(f"p{n}") for n in range(20)]
    send_all_rows(hand_clock)
    hand_clock.step(5)
    rng = random.Random(11)
    sent_at: list[float] = []

    def burst() -> None:
        # 100 seat changes over two seconds, the lobby's timers firing when due
        seated: list[set[int]] = [set() for _ in tables]
        for change in range(100):
            player, table = rng.randrange(20), rng.randrange(10)
            if len(seated[table]) == 6 and player not in seated[table]:
                player = min(seated[table])  # a full table: someone leaves instead
            if player in seated[table]:
                actions.do_leave_table(players[player], tables[table].pk)
                seated[table].remove(player)
            else:
                actions.do_join_table(players[player], tables[table].pk, 200)
                seated[table].add(player)
            hand_clock.step(0.02)
            before = len(lobby_updates(lobby.pk))
            send_due_rows()
            if len(lobby_updates(lobby.pk)) > before:
                sent_at.append(change * 0.02)
        send_all_rows(hand_clock)

    # when / then: the first snapshot and the updates give the last snapshot
    events = assert_events_replay("LOBBY", lobby.pk, None, burst)
    assert all(event["type"] == "LOBBY_UPDATE" for event in events)
    assert 2 <= len(events) <= 6, len(events)
    # at most one every half second
    assert all(later - earlier >= 0.5 - 1e-9 for earlier, later in itertools.pairwise(sent_at)), sent_at
    assert not RowChange.objects.exists()
    assert not Deadline.objects.pending().filter(handler=directory.SEND_ROWS).exists()


def test_the_deadlines_of_changes_sent_together_end_where_they_fire(lobby, make_table, make_user, hand_clock):
    # given: five tables that change within one interval after a send
    tables = [make_table(f"T{n}") for n in range(5)]
    send_all_rows(hand_clock)
    seq = lobby_updates(lobby.pk)[-1].seq
    for n, table in enumerate(tables):
        actions.do_join_table(make_user(f"p{n}"), table.pk, 200)
    # when: their deadlines come due together
    hand_clock.step(0.5)
    assert send_due_rows() == 5
    # then: the first sends all five rows, and the other four end there: none
    # moves itself to the next interval to fire again (each would be a write)
    [update] = lobby_updates(lobby.pk, after=seq)
    assert sorted(row["id"] for row in update.data["tables"]) == sorted(str(t.pk) for t in tables)
    assert not Deadline.objects.pending().filter(handler=directory.SEND_ROWS).exists()
    assert not RowChange.objects.exists()


def test_one_change_in_a_quiet_lobby_goes_out_at_once(lobby, make_table, make_user, hand_clock):
    table = make_table()
    send_all_rows(hand_clock)
    hand_clock.step(60)
    seq = lobby_updates(lobby.pk)[-1].seq
    actions.do_join_table(make_user("ann"), table.pk, 500)
    assert send_due_rows() == 1  # due now: no wait for a quiet lobby
    [update] = lobby_updates(lobby.pk, after=seq)
    assert update.data == {"tables": [lobby_snapshot(str(lobby.pk))["tables"][0]]}


def test_time_moving_while_the_coalescer_decides_does_not_put_a_send_off(lobby, make_table, make_user):
    """Real time moves between two readings: a due send goes out, it is not rescheduled again and again."""
    from pokerrt import clock

    ticking = TickingClock()
    previous = clock.use(ticking)
    try:
        table = make_table()
        assert send_due_rows() == 1
        ticking.step(1)
        seq = lobby_updates(lobby.pk)[-1].seq
        actions.do_join_table(make_user("ann"), table.pk, 500)
        ticking.step(0.001)
        assert send_due_rows() == 1
        assert len(lobby_updates(lobby.pk, after=seq)) == 1
        assert not Deadline.objects.pending().filter(handler=directory.SEND_ROWS).exists()
    finally:
        clock.use(previous)


def test_a_closed_table_is_removed_and_a_new_one_added(lobby, make_table, hand_clock):
    old = make_table("Old")
    send_all_rows(hand_clock)
    seq = lobby_updates(lobby.pk)[-1].seq
    hand_clock.step(1)

    def change() -> None:
        actions.do_delete_table(old.pk)
        make_table("New")
        send_all_rows(hand_clock)

    events = assert_events_replay("LOBBY", lobby.pk, None, change)
    [update] = [e for e in events if e["seq"] > seq]
    assert update["data"]["removed_tables"] == [str(old.pk)]
    assert [row["name"] for row in update["data"]["tables"]] == ["New"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_snapshot_before_and_events_give_the_snapshot_after_under_random_churn(
    lobby, make_table, make_user, hand_clock, seed
):
    rng = random.Random(seed)
    players = [make_user(f"p{n}") for n in range(8)]
    tables = [make_table(f"T{n}") for n in range(4)]
    send_all_rows(hand_clock)

    def churn() -> None:
        for _ in range(60):
            open_tables = list(Table.objects.filter(lobby=lobby, status="open"))
            table = rng.choice(open_tables) if open_tables else make_table("Spare")
            player = rng.choice(players)
            seat = actions.seat_of(table, player)
            roll = rng.random()
            if roll < 0.35:
                if seat is None and actions.live_hand(table) is None:
                    try:
                        actions.do_join_table(player, table.pk, 300)
                    except Exception as refused:  # a full table
                        assert getattr(refused, "code", None) == "CONFLICT"
                elif seat is not None:
                    actions.do_leave_table(player, table.pk)
            elif roll < 0.45 and seat is not None:
                actions.do_sit_out(player, table.pk)
            elif roll < 0.55 and seat is not None and seat.stack:
                actions.do_sit_in(player, table.pk)
            elif roll < 0.65 and actions.live_hand(table) is None and len(actions.dealing.dealable(table)) >= 2:
                actions.do_start_hand(table.pk)
                play_out(table, passive)
            elif roll < 0.7:
                actions.do_update_table(table.pk, small_blind=rng.choice([1, 2, 5]))
            elif roll < 0.75 and actions.live_hand(table) is None:
                actions.do_delete_table(table.pk)
            elif roll < 0.8:
                make_table(f"New {rng.randrange(1000)}")
            elif roll < 0.85:
                do_create_tournament(lobby, f"SNG {rng.randrange(1000)}", payout_percentages=[100])
            elif roll < 0.9:
                do_update_lobby(lobby.pk, description=f"Busy {rng.randrange(1000)}")
            hand_clock.step(rng.choice([0.0, 0.1, 0.3]))
            send_due_rows()
        send_all_rows(hand_clock)

    assert_events_replay("LOBBY", lobby.pk, None, churn)
    assert tables  # the first tables are in the snapshot before


def test_with_celery_the_coalescer_is_woken_by_fire_deadline_tasks(
    lobby, make_table, make_user, hand_clock, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The same deadlines, woken by the Celery backend: each wake-up is a fire_deadline(key, version) task."""
    from pokerrt.timers import fire
    from pokerrt.timers.tasks import fire_deadline

    table = make_table()
    send_all_rows(hand_clock)
    hand_clock.step(5)
    sent = []
    monkeypatch.setattr(fire_deadline, "apply_async", lambda **options: sent.append(options))
    settings.TIMERS_BACKEND = "celery"
    seq = lobby_updates(lobby.pk)[-1].seq
    # when: a seat is taken; then the worker runs the task it was sent
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_join_table(make_user("ann"), table.pk, 500)
    [task] = [options for options in sent if options["args"][0].startswith("lobby:")]
    assert task["args"][0] == directory.timer_key(lobby.pk, "tables", str(table.pk))
    assert task["eta"] == hand_clock.moment
    assert fire(*task["args"])
    # then
    [update] = lobby_updates(lobby.pk, after=seq)
    assert update.data["tables"][0]["players"] == 1


def test_registrations_and_a_cancel_reach_the_tournament_row(lobby, make_user, hand_clock):
    from pokerrt.accounts.actions import do_transfer, mint_account, wallet_of
    from pokerrt.accounts.models import Reason
    from tournament.actions import do_cancel_tournament, do_register, do_unregister

    tournament = do_create_tournament(lobby, "Sunday", buy_in=100, fee=10, max_players=9)
    send_all_rows(hand_clock)
    seq = lobby_updates(lobby.pk)[-1].seq
    ann, bob = make_user("ann"), make_user("bob")
    for user in (ann, bob):
        do_transfer(mint_account(), wallet_of(user), 1000, Reason.TOP_UP)
    hand_clock.step(1)

    def change() -> None:
        do_register(ann, tournament.pk)
        do_register(bob, tournament.pk)
        do_unregister(bob, tournament.pk)
        send_all_rows(hand_clock)
        hand_clock.step(1)
        do_cancel_tournament(tournament.pk)
        send_all_rows(hand_clock)

    events = [e for e in assert_events_replay("LOBBY", lobby.pk, None, change) if e["seq"] > seq]
    assert [e["data"]["tournaments"][0]["registered"] for e in events if "tournaments" in e["data"]] == [1]
    assert [e["data"]["tournaments"][0]["prize_pool"] for e in events if "tournaments" in e["data"]] == [100]
    assert events[-1]["data"]["removed_tournaments"] == [str(tournament.pk)]
