"""Taking and leaving seats at cash tables: the buy-in and cash-out go through the ledger."""

import pytest

from pokerrt import errors
from pokerrt.accounts.actions import wallet_of
from pokerrt.accounts.models import LedgerEntry
from pokerrt.realtime.models import Event
from pokerrt.timers.models import Deadline
from tables import actions
from tables.models import Seat, SeatStatus

from .helpers import current_hand, fire_now, passive, play_out, table_events

pytestmark = pytest.mark.django_db


def test_join_buys_in_from_the_wallet_and_is_broadcast(table, players):
    ann = players[0]
    # when
    seat = actions.do_join_table(ann, table.pk, 500, seat_number=4)
    # then
    assert (seat.number, seat.stack, seat.status) == (4, 500, SeatStatus.ACTIVE)
    assert wallet_of(ann).balance == 9_500
    entry = LedgerEntry.objects.latest("id")
    assert (entry.reason, entry.amount, entry.destination.kind, entry.destination.ref) == (
        "buy_in", 500, "table", str(table.pk))
    joined = table_events(table)[-1]
    assert joined.type == "TABLE_JOIN"
    assert joined.data == {"seat": 4, "user": {"id": str(ann.pk), "username": "ann"}, "stack": 500}
    private = Event.objects.filter(target="PLAYER", stream_id=str(ann.pk)).latest("seq")
    assert (private.type, private.data["balance"], private.data["change"]) == ("TABLE_JOIN", 9_500, -500)


def test_join_takes_the_first_free_seat_when_none_is_chosen(table, players):
    actions.do_join_table(players[0], table.pk, 500, seat_number=1)
    assert actions.do_join_table(players[1], table.pk, 500).number == 2


@pytest.mark.parametrize(
    "buy_in, seat, error",
    [
        (50, None, errors.Validation),  # below the table's minimum
        (5000, None, errors.Validation),  # above its maximum
        (500, 7, errors.Validation),  # a six-seat table has no seat 7
        (500, 1, errors.Conflict),  # taken by ben below
    ],
)
def test_bad_joins_are_refused_and_change_nothing(table, players, buy_in, seat, error):
    actions.do_join_table(players[1], table.pk, 500, seat_number=1)
    events, entries = Event.objects.count(), LedgerEntry.objects.count()
    with pytest.raises(error):
        actions.do_join_table(players[0], table.pk, buy_in, seat_number=seat)
    assert (Event.objects.count(), LedgerEntry.objects.count()) == (events, entries)
    assert wallet_of(players[0]).balance == 10_000


def test_join_above_the_balance_is_insufficient_funds(table, players, settings):
    table.max_buy_in = 20_000
    table.save()
    with pytest.raises(errors.InsufficientFunds):
        actions.do_join_table(players[0], table.pk, 15_000)
    assert not Seat.objects.filter(user=players[0]).exists()


def test_one_seat_per_player_and_a_full_table_refuses(table, players, make_user):
    actions.do_join_table(players[0], table.pk, 500)
    with pytest.raises(errors.Conflict):
        actions.do_join_table(players[0], table.pk, 500)
    for player in players[1:]:
        actions.do_join_table(player, table.pk, 500)
    with pytest.raises(errors.Conflict, match="full"):
        actions.do_join_table(make_user("late"), table.pk, 500)


def test_leave_between_hands_cashes_out_at_once(table, players):
    ann = players[0]
    actions.do_join_table(ann, table.pk, 700)
    actions.do_leave_table(ann, table.pk)
    assert wallet_of(ann).balance == 10_000
    left = table_events(table)[-1]
    assert (left.type, left.data["stack"]) == ("TABLE_LEAVE", 700)
    assert not Seat.objects.filter(user=ann).exists()


def test_leave_during_a_hand_waits_for_its_end(table, seated):
    hand = actions.do_start_hand(table.pk)
    leaver = seated[0]
    actions.do_leave_table(leaver, table.pk)
    assert Seat.objects.get(user=leaver).leaving
    assert wallet_of(leaver).balance == 9_000
    play_out(table, passive)
    assert not Seat.objects.filter(user=leaver).exists()
    final = next(s["stack"] for s in hand.__class__.objects.get(pk=hand.pk).result["stacks"]
                 if s["user"]["id"] == str(leaver.pk))
    assert wallet_of(leaver).balance == 9_000 + final


def test_two_players_schedule_the_next_hand_and_it_deals(table, players):
    actions.do_join_table(players[0], table.pk, 500)
    assert not Deadline.objects.filter(key=f"table:{table.pk}:next_hand").exists()
    actions.do_join_table(players[1], table.pk, 500)
    assert Deadline.objects.filter(key=f"table:{table.pk}:next_hand", fired_at__isnull=True).exists()
    assert fire_now(f"table:{table.pk}:next_hand")
    hand = current_hand(table)
    assert hand is not None and hand.number == 1


def test_sit_out_skips_the_player_and_sit_in_deals_them_again(table, seated):
    actions.do_sit_out(seated[2], table.pk)
    hand = actions.do_start_hand(table.pk)
    assert str(3) not in hand.players
    play_out(table, passive)
    actions.do_sit_in(seated[2], table.pk)
    fire_now(f"table:{table.pk}:next_hand")
    assert "3" in current_hand(table).players


def test_sitting_out_too_long_stands_the_player_up(table, seated):
    actions.do_sit_out(seated[1], table.pk)
    assert fire_now(f"table:{table.pk}:seat:2:sit_out")
    assert not Seat.objects.filter(user=seated[1]).exists()
    assert wallet_of(seated[1]).balance == 10_000


def test_staff_table_lifecycle(lobby, players):
    table = actions.do_create_table(lobby, "Fresh", max_seats=4)
    assert Seat.objects.filter(table=table).count() == 4
    actions.do_update_table(table.pk, max_seats=6, name="Fresh six")
    assert Seat.objects.filter(table=table).count() == 6
    actions.do_join_table(players[0], table.pk, 500, seat_number=6)
    with pytest.raises(errors.Conflict):
        actions.do_update_table(table.pk, max_seats=4)
    with pytest.raises(errors.Validation):
        actions.do_update_table(table.pk, small_blind=50, big_blind=20)
    actions.do_delete_table(table.pk)
    assert wallet_of(players[0]).balance == 10_000
    assert [e.type for e in table_events(table)][-2:] == ["TABLE_LEAVE", "TABLE_DELETE"]
    with pytest.raises(errors.Conflict):
        actions.do_join_table(players[1], table.pk, 500)


def test_disconnect_then_reconnect_within_the_grace_period(table, seated):
    ann = seated[0]
    actions.do_player_disconnected(ann)
    gone = table_events(table)[-1]
    assert (gone.type, gone.data) == ("PLAYER_DISCONNECT", {"user": {"id": str(ann.pk), "username": "ann"},
                                                            "table_id": str(table.pk)})
    grace = Deadline.objects.get(key=f"table:{table.pk}:seat:1:grace")
    assert grace.is_pending
    actions.do_player_reconnected(ann)
    assert table_events(table)[-1].type == "PLAYER_RECONNECT"
    grace.refresh_from_db()
    assert not grace.is_pending
    assert Seat.objects.get(user=ann).status == SeatStatus.ACTIVE


def test_gone_past_the_grace_period_sits_the_player_out(table, seated):
    actions.do_player_disconnected(seated[1])
    assert fire_now(f"table:{table.pk}:seat:2:grace")
    assert Seat.objects.get(user=seated[1]).status == SeatStatus.SITTING_OUT
