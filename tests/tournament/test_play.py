"""A tournament in play, through its actions and deadlines fired by hand: start, clock, eliminations, bubble, end."""

import asyncio
import datetime as dt
import random

import pytest

from pokerrt import errors
from pokerrt.accounts.actions import wallet_of
from pokerrt.realtime.models import Event
from pokerrt.timers.models import Deadline
from tables import actions as table_actions
from tables import live
from tables.models import Hand, HandAction, HandStatus, Seat, SeatStatus, Table, TableStatus
from tests.realtime.consistency import assert_events_replay
from tests.tables.helpers import fire_now, play_out, user_at
from tests.tables.scripted import deal_next
from tournament import actions
from tournament.actions.hands import split_places
from tournament.models import Entry, EntryStatus, Tournament, TournamentStatus, TournamentTable
from tournament.structures import Level

from .helpers import world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seeded():
    previous = actions.use_rng(random.Random(5))
    yield
    actions.use_rng(previous)


def events(tournament, *types):
    rows = Event.objects.filter(target="TOURNAMENT", stream_id=str(tournament.pk)).order_by("seq")
    return [(e.type, e.data) for e in rows if not types or e.type in types]


def tables_of(tournament):
    return [held.table for held in TournamentTable.objects.filter(tournament=tournament).select_related("table")]


def deal(table):
    """Fire the table's next-hand deadline; the hand dealt."""
    assert fire_now(f"table:{table.pk}:next_hand")
    return Hand.objects.get(table=table, status=HandStatus.LIVE)


def next_hand_pending(table):
    return Deadline.objects.pending().filter(key=f"table:{table.pk}:next_hand").exists()


def passive(legal, dealt):
    return ("check", None) if "check" in legal else ("call", None)


def shove(legal, dealt):
    if "raise" in legal or "bet" in legal:
        return ("raise" if "raise" in legal else "bet"), dealt.max_raise_to()
    return ("call", None) if "call" in legal else ("check", None)


def after_hands(tournament):
    """Fire the after-hands deadlines the tournament's tables set when their hands ended."""
    keys = list(Deadline.objects.pending().filter(key__startswith=f"tournament:{tournament.pk}:after_hands:")
                .values_list("key", flat=True))
    assert keys
    for key in keys:
        assert fire_now(key)


def fill(tournament, players):
    for player in players:
        actions.do_register(player, tournament.pk)
    tournament.refresh_from_db()
    return tournament


# --- Start and seating ---------------------------------------------------------------------------


def test_a_sit_and_go_starts_when_full_seating_everyone_and_dealing(sng, players):
    fill(sng, players)
    assert sng.status == TournamentStatus.RUNNING and sng.level == 1 and sng.period_ends_at is not None
    [table] = tables_of(sng)
    assert table.kind == "tournament" and table.max_seats == 6
    assert Seat.objects.filter(table=table, user__isnull=False).count() == 6
    assert all(e.status == EntryStatus.PLAYING and e.table_id == table.pk and e.seat for e in sng.entries.all())
    [(_, start)] = events(sng, "TOURNAMENT_START")
    assert start["level"] == 1 and len(start["tables"][0]["players"]) == 6
    hand = deal(table)
    assert (hand.config["small_blind"], hand.config["big_blind"]) == (10, 20)


def test_a_scheduled_field_is_seated_at_random_over_the_fewest_tables_balanced(lobby, make_user, staff_user):
    mtt = actions.do_create_tournament(lobby, "Sunday", kind="mtt", starts_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
                                       max_players=30, table_size=9)
    fill(mtt, [make_user(f"p{n}") for n in range(20)])
    assert fire_now(f"tournament:{mtt.pk}:start")
    counts = sorted(Seat.objects.filter(table__in=tables_of(mtt), user__isnull=False).values_list(
        "table_id", flat=True))
    sizes = sorted(counts.count(t) for t in set(counts))
    assert sizes == [6, 7, 7]


def test_a_scheduled_tournament_short_of_its_minimum_is_cancelled_and_refunded(lobby, players):
    mtt = actions.do_create_tournament(lobby, "Quiet", kind="mtt", starts_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
                                       min_players=3, max_players=9, buy_in=100, fee=10)
    before = wallet_of(players[0]).balance
    fill(mtt, players[:2])
    assert fire_now(f"tournament:{mtt.pk}:start")
    mtt.refresh_from_db()
    assert mtt.status == TournamentStatus.CANCELLED and not tables_of(mtt)
    assert wallet_of(players[0]).balance == before


def test_a_start_too_early_short_or_twice_is_a_conflict_and_changes_nothing(lobby, players):
    mtt = actions.do_create_tournament(lobby, "Early", kind="mtt", starts_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
                                       min_players=3, max_players=9)
    fill(mtt, players[:2])
    before = world()
    with pytest.raises(errors.Conflict, match="needs 3"):
        actions.do_start_tournament(mtt.pk)
    assert world() == before
    actions.do_register(players[2], mtt.pk)
    actions.do_start_tournament(mtt.pk)
    before = world()
    with pytest.raises(errors.Conflict, match="registering"):
        actions.do_start_tournament(mtt.pk)
    assert world() == before


def test_a_start_by_command_is_staff_only(sng, players, staff_user):
    from tests.tournament.test_commands import send

    fill(sng, players[:3])
    before = world()
    with pytest.raises(errors.Forbidden):
        send(players[0], "TOURNAMENT_START", sng.pk, {})
    assert world() == before
    send(staff_user, "TOURNAMENT_START", sng.pk, {})
    sng.refresh_from_db()
    assert sng.status == TournamentStatus.RUNNING


# --- The policy ----------------------------------------------------------------------------------


def test_players_never_buy_in_nor_stand_up_at_a_tournament_table(sng, players, make_user):
    fill(sng, players[:5])
    actions.do_start_tournament(sng.pk)
    [table] = tables_of(sng)
    gus = make_user("gus")
    wallet_of(gus)
    before = world()
    with pytest.raises(errors.Forbidden):
        table_actions.do_join_table(gus, table.pk, 1500)
    with pytest.raises(errors.Forbidden):
        table_actions.do_leave_table(players[0], table.pk)
    assert world() == before


def test_a_player_sitting_out_is_dealt_in_and_never_stood_up(sng, players):
    fill(sng, players[:3])
    actions.do_start_tournament(sng.pk)
    [table] = tables_of(sng)
    table_actions.do_sit_out(players[0], table.pk)
    assert not Deadline.objects.pending().filter(key__contains=":sit_out").exists()
    hand = deal(table)
    assert str(players[0].pk) in {str(uid) for uid in hand.players.values()}


def test_a_disconnected_player_is_blinded_out_by_their_clock_and_never_removed(sng, players, settings):
    # given: ann's connection is gone and her clock has no time bank left
    settings.POKERRT_TABLES = {**settings.POKERRT_TABLES, "TIMEOUTS_BEFORE_SIT_OUT": 1}
    fill(sng, players[:3])
    actions.do_start_tournament(sng.pk)
    [table] = tables_of(sng)
    ann = players[0]
    actions.do_player_disconnected(ann)
    Seat.objects.filter(table=table, user=ann).update(time_bank_left=0)
    for _ in range(3):
        # when: each hand, her clock runs out whenever she is to act; the others call and check
        hand = deal(table)
        assert str(ann.pk) in {str(uid) for uid in hand.players.values()}  # dealt in, sitting out or not
        while hand.status == HandStatus.LIVE:
            dealt = live.engine_hand(hand)
            if str(hand.players[str(dealt.to_act())]) == str(ann.pk):
                assert fire_now(f"table:{table.pk}:action")
            else:
                table_actions.do_player_action(user_at(hand, dealt.to_act()), table.pk, *passive(
                    dealt.legal_actions(), dealt))
            hand.refresh_from_db()
        after_hands(sng)
    # then: the clock acted for her and sat her out, yet she is dealt in and still in, seated
    seat = Seat.objects.get(table=table, user=ann)
    mine = HandAction.objects.filter(hand__table=table, seat=seat.number)
    assert mine.exists() and all(action.auto for action in mine)
    assert seat.status == SeatStatus.SITTING_OUT
    entry = sng.entries.get(user=ann)
    assert entry.status == EntryStatus.PLAYING and entry.table_id == table.pk


# --- The clock -----------------------------------------------------------------------------------


def test_level_up_brings_new_blinds_from_the_next_hand(sng, players):
    fill(sng, players)
    [table] = tables_of(sng)
    deal(table)
    assert fire_now(f"tournament:{sng.pk}:clock")
    sng.refresh_from_db()
    assert sng.level == 2
    [(_, up)] = events(sng, "LEVEL_UP")
    assert (up["level"], up["small_blind"], up["big_blind"]) == (2, 15, 30) and up["ends_at"]
    hand = play_out(table, passive)
    assert hand.config["big_blind"] == 20  # the hand in play kept its blinds
    after_hands(sng)
    assert deal(table).config["big_blind"] == 30


def test_pause_stops_the_clock_keeping_what_is_left_and_resume_continues(sng, players, manual_clock):
    fill(sng, players)
    [table] = tables_of(sng)
    asyncio.run(manual_clock.advance(120))
    actions.do_pause(sng.pk)
    sng.refresh_from_db()
    assert sng.status == TournamentStatus.PAUSED and sng.paused_seconds_left == pytest.approx(180)
    assert not Deadline.objects.pending().filter(key=f"tournament:{sng.pk}:clock").exists()
    assert not next_hand_pending(table) or table_actions.do_start_hand(table.pk) is None
    asyncio.run(manual_clock.advance(3600))
    actions.do_resume(sng.pk)
    sng.refresh_from_db()
    assert sng.status == TournamentStatus.RUNNING and sng.level == 1
    assert sng.period_ends_at == manual_clock.now() + dt.timedelta(seconds=180)
    with pytest.raises(errors.Conflict):
        actions.do_resume(sng.pk)


def test_a_break_starts_once_every_table_finished_its_hand_and_ends_into_the_next_level(lobby, players):
    actions.do_create_structure("short", [Level(10, 20, minutes=1, break_minutes=2), Level(20, 40, minutes=1)])
    sng = actions.do_create_tournament(lobby, "Breaks", structure="short", max_players=3, table_size=3)
    fill(sng, players[:3])
    [table] = tables_of(sng)
    deal(table)
    assert fire_now(f"tournament:{sng.pk}:clock")
    assert events(sng, "BREAK_START") == []  # a hand is in play
    play_out(table, passive)
    assert not next_hand_pending(table)
    after_hands(sng)
    [(_, started)] = events(sng, "BREAK_START")
    sng.refresh_from_db()
    assert sng.on_break and started["ends_at"]
    assert fire_now(f"tournament:{sng.pk}:clock")
    assert [t for t, _ in events(sng, "BREAK_END", "LEVEL_UP")] == ["BREAK_END", "LEVEL_UP"]
    assert events(sng, "BREAK_END")[0][1]["level"] == 2
    assert next_hand_pending(table)
    assert deal(table).config["big_blind"] == 40


def test_a_break_that_waited_for_a_hand_ended_while_paused_starts_on_resume(lobby, players):
    # given: level 1 ends into a break while a hand is in play, then staff pause
    actions.do_create_structure("short", [Level(10, 20, minutes=1, break_minutes=2), Level(20, 40, minutes=1)])
    sng = actions.do_create_tournament(lobby, "Breaks", structure="short", max_players=3, table_size=3)
    fill(sng, players[:3])
    [table] = tables_of(sng)
    deal(table)
    assert fire_now(f"tournament:{sng.pk}:clock")
    actions.do_pause(sng.pk)
    play_out(table, passive)
    after_hands(sng)
    assert events(sng, "BREAK_START") == []  # paused: the clock stands still
    # when
    actions.do_resume(sng.pk)
    # then: the break starts, its end on the clock, and the tournament does not stall
    [(_, started)] = events(sng, "BREAK_START")
    sng.refresh_from_db()
    assert sng.on_break and not sng.break_pending and started["ends_at"]
    assert fire_now(f"tournament:{sng.pk}:clock")
    assert deal(table).config["big_blind"] == 40


# --- Eliminations and the end --------------------------------------------------------------------


def test_players_busted_in_one_hand_with_equal_stacks_share_their_places_and_prizes(sng, players, monkeypatch):
    fill(sng, players[:3])
    actions.do_start_tournament(sng.pk)
    [table] = tables_of(sng)
    seats = {s.user_id: s.number for s in Seat.objects.filter(table=table, user__isnull=False)}
    ann, ben, cat = (seats[p.pk] for p in players[:3])
    deal_next(monkeypatch, {ann: "AsAh", ben: "2c7d", cat: "2d7c"}, "KsKdQh4c9s", button=min(seats.values()))
    deal(table)
    play_out(table, shove)
    after_hands(sng)
    eliminated = {data["user"]["username"]: (data["position"], data["prize"])
                  for _, data in events(sng, "PLAYER_ELIMINATION")}
    # 300 in the pool, 65/35: places 2 and 3 share 105, the odd chip to place 2.
    assert eliminated == {"ben": (2, 53), "cat": (3, 52)}
    [(_, end)] = events(sng, "TOURNAMENT_END")
    assert [(r["user"]["username"], r["position"], r["prize"]) for r in end["results"]] == [
        ("ann", 1, 195), ("ben", 2, 53), ("cat", 3, 52)]
    sng.refresh_from_db()
    assert sng.status == TournamentStatus.FINISHED
    assert Table.objects.get(pk=table.pk).status == TableStatus.CLOSED
    assert sum(Entry.objects.filter(tournament=sng).values_list("prize", flat=True)) == 300


def test_tied_places_split_their_prizes_with_the_odd_chip_to_the_earlier_place():
    assert split_places([105, 0]) == [53, 52]
    assert split_places([50, 30, 20]) == [34, 33, 33]
    assert split_places([0, 0]) == [0, 0]


# --- Hand-for-hand -------------------------------------------------------------------------------


def test_on_the_bubble_each_table_plays_one_hand_and_waits_for_the_others(lobby, make_user):
    mtt = actions.do_create_tournament(lobby, "Bubble", kind="mtt", starts_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
                                       min_players=5, max_players=6, table_size=3,
                                       payout_percentages=[30, 25, 20, 15, 10])
    fill(mtt, [make_user(f"b{n}") for n in range(6)])
    actions.do_start_tournament(mtt.pk)  # six left, five paid: one off the money
    mtt.refresh_from_db()
    assert mtt.hand_for_hand
    first, second = tables_of(mtt)
    deal(first)
    deal(second)
    play_out(first, passive)
    after_hands(mtt)
    assert not next_hand_pending(first)  # waits for the other table
    play_out(second, passive)
    after_hands(mtt)
    assert next_hand_pending(first) and next_hand_pending(second)


HOLES = {1: "AsAh", 2: "2c7d", 3: "3c8d"}  # seat 1 wins every showdown
BOARD = "KsKdQh4c9s"


def seat_three_folds_the_others_shove(legal, dealt):
    """Seat 1 takes seat 2's chips all in; seat 3 stays out of the way."""
    if dealt.to_act() == 3:
        return ("fold", None) if "fold" in legal else ("check", None)
    return shove(legal, dealt)


def seat_two_folds(legal, dealt):
    if dealt.to_act() == 2:
        return ("fold", None) if "fold" in legal else ("check", None)
    return passive(legal, dealt)


def on_the_bubble(lobby, make_user):
    """Six at two three-max tables, five paid (600 in the pool: 180/150/120/90/60): one off the money."""
    mtt = actions.do_create_tournament(lobby, "Bubble", kind="mtt", starts_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
                                       min_players=5, max_players=6, table_size=3, buy_in=100,
                                       payout_percentages=[30, 25, 20, 15, 10])
    fill(mtt, [make_user(f"b{n}") for n in range(6)])
    actions.do_start_tournament(mtt.pk)
    mtt.refresh_from_db()
    assert mtt.hand_for_hand
    return mtt


def places(tournament):
    return {e.user_id: (e.finish_position, e.prize) for e in tournament.entries.filter(status=EntryStatus.ELIMINATED)}


def seat_two(table):
    return Seat.objects.get(table=table, number=2).user_id


def test_busts_at_two_tables_in_one_hand_for_hand_round_share_their_places_like_one_hand(lobby, make_user,
                                                                                           monkeypatch):
    # given: the bubble, both seat 2s about to bust with 1,500 each
    mtt = on_the_bubble(lobby, make_user)
    first, second = tables_of(mtt)
    out_first, out_second = seat_two(first), seat_two(second)
    deal_next(monkeypatch, HOLES, BOARD, button=1)
    deal(first)
    deal(second)
    # when: the first table's hand ends first
    play_out(first, seat_three_folds_the_others_shove)
    waiting = assert_events_replay("TOURNAMENT", mtt.pk, None, lambda: after_hands(mtt))
    # then: its bust waits for the round (out of chips, not yet placed) instead of taking the bubble by table speed
    assert places(mtt) == {} and events(mtt, "PLAYER_ELIMINATION") == []
    [update] = [e["data"] for e in waiting if e["type"] == "TOURNAMENT_UPDATE"]
    assert {(row["user"]["id"], row["status"], row["chips"]) for row in update["players"]} >= {
        (str(out_first), "playing", 0)}
    play_out(second, seat_three_folds_the_others_shove)
    assert_events_replay("TOURNAMENT", mtt.pk, None, lambda: after_hands(mtt))
    # equal stacks at the start of their hands: places 5 and 6 shared (in entry order), 60 + 0 split evenly
    [fifth, sixth] = sorted(Entry.objects.filter(tournament=mtt, user_id__in=[out_first, out_second]), key=lambda e: e.pk)
    assert places(mtt) == {fifth.user_id: (5, 30), sixth.user_id: (6, 30)}
    mtt.refresh_from_db()
    assert not mtt.hand_for_hand  # the bubble burst


def test_in_a_hand_for_hand_round_the_bigger_starting_stack_takes_the_better_place_whichever_table_ends_first(
        lobby, make_user, monkeypatch):
    # given: a first round leaves the first table's seat 2 with 1,480 (it lost a called pot) and the
    # second table's with 1,490 (it folded its small blind)
    mtt = on_the_bubble(lobby, make_user)
    first, second = tables_of(mtt)
    out_first, out_second = seat_two(first), seat_two(second)
    deal_next(monkeypatch, HOLES, BOARD, button=1)
    deal(first)
    deal(second)
    play_out(first, passive)
    play_out(second, seat_two_folds)
    after_hands(mtt)
    assert Seat.objects.get(table=first, number=2).stack == 1480
    assert Seat.objects.get(table=second, number=2).stack == 1490
    # when: in the next round both bust, the second table (the bigger stack) ending first
    deal_next(monkeypatch, HOLES, BOARD, button=2)
    deal(first)
    deal(second)
    play_out(second, seat_three_folds_the_others_shove)
    after_hands(mtt)
    assert places(mtt) == {}
    play_out(first, seat_three_folds_the_others_shove)
    after_hands(mtt)
    # then: the places go by the stacks at the start of the hands, not by the order the tables ended
    assert places(mtt) == {out_second: (5, 60), out_first: (6, 0)}
    eliminated = [(data["user"]["id"], data["position"]) for _, data in events(mtt, "PLAYER_ELIMINATION")]
    assert eliminated == [(str(out_second), 5), (str(out_first), 6)]


def test_cancelling_places_a_bust_still_waiting_for_its_hand_for_hand_round(lobby, make_user, monkeypatch):
    mtt = on_the_bubble(lobby, make_user)
    first, second = tables_of(mtt)
    out_first = seat_two(first)
    deal_next(monkeypatch, HOLES, BOARD, button=1)
    deal(first)
    play_out(first, seat_three_folds_the_others_shove)
    after_hands(mtt)
    assert places(mtt) == {}  # the second table has not played the round
    actions.do_pause(mtt.pk)
    assert_events_replay("TOURNAMENT", mtt.pk, None, lambda: actions.do_cancel_tournament(mtt.pk))
    # out before the cancel: a place and its prize, no share of the chop
    assert places(mtt) == {out_first: (6, 0)}
    assert Entry.objects.get(tournament=mtt, user_id=out_first).prize == 0


def test_cancelling_before_the_after_hands_task_places_the_busted_instead_of_chopping_with_them(
        lobby, players, monkeypatch):
    # given: a hand busts one of three; its after-hands task has not run yet
    sng = actions.do_create_tournament(lobby, "Chop", buy_in=100, fee=10, min_players=2, max_players=3, table_size=3)
    fill(sng, players[:3])
    [table] = tables_of(sng)
    deal_next(monkeypatch, HOLES, BOARD, button=1)
    deal(table)
    busted = seat_two(table)
    play_out(table, seat_three_folds_the_others_shove)
    actions.do_pause(sng.pk)
    # when
    actions.do_cancel_tournament(sng.pk)
    # then: third place (300 in the pool pays 195/105), no share of the chop and no fee back
    entry = Entry.objects.get(tournament=sng, user_id=busted)
    assert (entry.status, entry.finish_position, entry.prize) == (EntryStatus.ELIMINATED, 3, 0)
    chopped = sng.entries.filter(status=EntryStatus.CANCELLED)
    assert chopped.count() == 2 and sum(chopped.values_list("prize", flat=True)) == 300


def test_late_registration_seats_the_player_at_the_table_with_fewest_players(lobby, make_user):
    mtt = actions.do_create_tournament(lobby, "Late", kind="mtt", starts_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
                                       max_players=30, table_size=9, late_registration_levels=2)
    fill(mtt, [make_user(f"l{n}") for n in range(10)])
    actions.do_start_tournament(mtt.pk)
    late = actions.do_register(make_user("late"), mtt.pk)
    counts = {t.pk: Seat.objects.filter(table=t, user__isnull=False).count() for t in tables_of(mtt)}
    assert late.status == EntryStatus.PLAYING and counts[late.table_id] == 6 and sorted(counts.values()) == [5, 6]
    assert Seat.objects.get(table_id=late.table_id, user=late.user).stack == mtt.starting_stack


def test_a_registration_for_a_finished_or_closed_tournament_is_refused(sng, players, make_user):
    fill(sng, players)
    gus = make_user("gus")
    wallet_of(gus)
    before = world()
    with pytest.raises(errors.Conflict):
        actions.do_register(gus, sng.pk)
    with pytest.raises(errors.Conflict, match="started"):
        actions.do_unregister(players[0], sng.pk)
    assert world() == before
    assert Tournament.objects.get(pk=sng.pk).status == TournamentStatus.RUNNING


# --- Cancelling in play --------------------------------------------------------------------------


def test_cancelling_in_play_waits_for_the_hands_then_chops_the_pool_by_chips_and_returns_the_fees(sng, players):
    from pokerrt.accounts.audit import audit
    from tournament.actions.base import house_account, pool_account
    from tournament.payouts import split

    fill(sng, players)
    [table] = tables_of(sng)
    deal(table)
    before = world()
    with pytest.raises(errors.Conflict):  # a hand in play
        actions.do_cancel_tournament(sng.pk)
    assert world() == before
    play_out(table, passive)  # chips move, nobody busts: the tournament goes on
    after_hands(sng)
    actions.do_pause(sng.pk)
    out = {e.user_id: e.prize for e in sng.entries.filter(status=EntryStatus.ELIMINATED)}
    entry_of = dict(sng.entries.values_list("user_id", "pk"))
    # Bigger stacks first, then by entry: the odd chips of the split go to the first.
    stacks = sorted(((s.stack, s.user_id) for s in Seat.objects.filter(table=table, user__isnull=False)),
                    key=lambda pair: (-pair[0], entry_of[pair[1]]))
    pool = pool_account(sng).balance
    wallets = {p.pk: wallet_of(p).balance for p in players}

    events_sent = assert_events_replay("TOURNAMENT", sng.pk, None, lambda: actions.do_cancel_tournament(sng.pk))

    sng.refresh_from_db()
    assert sng.status == TournamentStatus.CANCELLED
    assert Table.objects.get(pk=table.pk).status == TableStatus.CLOSED
    shares = dict(zip([user for _, user in stacks], split(pool, [chips for chips, _ in stacks]), strict=True))
    for entry in sng.entries.all():
        if entry.user_id in out:  # out before the cancel: place and prize kept, nothing more
            assert entry.status == EntryStatus.ELIMINATED and wallet_of(entry.user).balance == wallets[entry.user_id]
        else:
            assert entry.status == EntryStatus.CANCELLED and entry.prize == shares[entry.user_id]
            assert wallet_of(entry.user).balance == wallets[entry.user_id] + shares[entry.user_id] + entry.fee
    assert pool_account(sng).balance == 0
    assert house_account().balance == 10 * len(out)
    assert audit() == []
    [end] = [e for e in events_sent if e["type"] == "TOURNAMENT_END"]
    assert end["data"]["cancelled"] and len(end["data"]["results"]) == len(out)
    with pytest.raises(errors.Conflict):
        actions.do_cancel_tournament(sng.pk)
