"""Moving a player with their stack to another table: chips, events, timers and the lock order."""

import pytest

from pokerrt import errors
from pokerrt.accounts.actions import account_for, wallet_of
from pokerrt.accounts.audit import audit
from pokerrt.accounts.models import AccountKind, LedgerEntry
from pokerrt.realtime.models import Event
from pokerrt.timers.models import Deadline
from tables import actions
from tables.actions import base
from tables.audit import table_chip_problems
from tables.models import Seat, SeatStatus
from tests.realtime.consistency import assert_events_replay

from .helpers import current_hand, table_events
from .table_state import apply as apply_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(lobby):
    """A second table, four seats."""
    return actions.do_create_table(lobby, "Other 5/10", small_blind=5, big_blind=10, max_seats=4,
                                   min_buy_in=100, max_buy_in=2000)


def pending(key: str) -> Deadline | None:
    return Deadline.objects.filter(key=key, fired_at__isnull=True, cancelled_at__isnull=True).first()


def test_the_player_moves_with_their_stack_and_the_chips_stay_counted(table, other, seated):
    ann = seated[0]
    # when
    seat = actions.do_move_player(ann, table.pk, other.pk, seat_number=3)
    # then: the seat, the stack and the table accounts moved; the wallet did not
    assert (seat.table_id, seat.number, seat.stack, seat.status) == (other.pk, 3, 1000, SeatStatus.ACTIVE)
    assert not Seat.objects.filter(table=table, user=ann).exists()
    assert account_for(AccountKind.TABLE, table.pk).balance == 2000
    assert account_for(AccountKind.TABLE, other.pk).balance == 1000
    assert wallet_of(ann).balance == 9000
    entry = LedgerEntry.objects.latest("id")
    assert (entry.source.ref, entry.destination.ref, entry.amount, entry.reason) == (
        str(table.pk), str(other.pk), 1000, "table_move")
    assert audit() == [] and list(table_chip_problems()) == []


def test_the_move_is_told_on_both_tables_and_the_players_stream(table, other, seated):
    ann = seated[0]
    ref = {"id": str(ann.pk), "username": "ann"}

    def move():
        actions.do_move_player(ann, table.pk, other.pk)

    # when: each stream's events, applied to its snapshot before, give its snapshot after
    source = []
    destination = []
    private = assert_events_replay("PLAYER", ann.pk, ann, lambda: destination.extend(assert_events_replay(
        "TABLE", other.pk, None, lambda: source.extend(assert_events_replay(
            "TABLE", table.pk, None, move, apply_table)), apply_table)))
    # then
    assert [(e["type"], e["data"]) for e in source] == [
        ("TABLE_LEAVE", {"seat": 1, "user": ref, "stack": 1000, "to_table": str(other.pk)})]
    assert [(e["type"], e["data"]) for e in destination] == [
        ("TABLE_JOIN", {"seat": 1, "user": ref, "stack": 1000, "from_table": str(table.pk)})]
    assert [(e["type"], e["data"]) for e in private] == [
        ("TABLE_LEAVE", {"table_id": str(table.pk), "seat": 1, "stack": 1000, "to_table": str(other.pk)}),
        ("TABLE_JOIN", {"table_id": str(other.pk), "seat": 1, "stack": 1000, "from_table": str(table.pk)}),
    ]


def test_a_player_dealt_into_the_hand_in_play_cannot_move_until_it_ends(table, other, seated, players):
    # given: a hand in play, and a fourth player who sat down after the deal
    hand = actions.do_start_hand(table.pk)
    late = players[3]
    actions.do_join_table(late, table.pk, 500)
    events, entries = Event.objects.count(), LedgerEntry.objects.count()
    # when / then: a player in the hand is refused, folded or not, and nothing changes
    with pytest.raises(errors.Conflict, match="hand in play"):
        actions.do_move_player(seated[0], table.pk, other.pk)
    assert (Event.objects.count(), LedgerEntry.objects.count()) == (events, entries)
    assert Seat.objects.get(user=seated[0]).table_id == table.pk
    # and the player who is not in it moves now
    actions.do_move_player(late, table.pk, other.pk)
    assert Seat.objects.get(user=late).table_id == other.pk
    assert current_hand(table) == hand


def test_a_full_destination_or_a_taken_seat_refuses_the_move(table, other, seated, players, make_user):
    for player in players[3:6]:
        actions.do_join_table(player, other.pk, 500)
    with pytest.raises(errors.Conflict, match="Seat 2 is taken"):
        actions.do_move_player(seated[0], table.pk, other.pk, seat_number=2)
    actions.do_join_table(make_user("gus"), other.pk, 500)  # the last free seat
    with pytest.raises(errors.Conflict, match="full"):
        actions.do_move_player(seated[0], table.pk, other.pk)
    assert Seat.objects.get(user=seated[0]).table_id == table.pk
    assert account_for(AccountKind.TABLE, table.pk).balance == 3000


@pytest.mark.parametrize("seat_number, error", [(5, errors.Validation), (None, errors.Conflict)])
def test_bad_moves_are_refused(table, other, seated, lobby, seat_number, error):
    if error is errors.Conflict:
        actions.do_delete_table(other.pk)
    with pytest.raises(error):
        actions.do_move_player(seated[0], table.pk, other.pk, seat_number)


def test_a_move_to_the_same_table_another_kind_or_without_a_seat_is_refused(table, other, seated, players, lobby):
    with pytest.raises(errors.Validation):
        actions.do_move_player(seated[0], table.pk, table.pk)
    with pytest.raises(errors.Conflict, match="no seat"):
        actions.do_move_player(players[4], table.pk, other.pk)
    tournament = actions.do_create_table(lobby, "Final table", kind="tournament")
    with pytest.raises(errors.Conflict, match="one kind"):
        actions.do_move_player(seated[0], table.pk, tournament.pk)
    with pytest.raises(errors.NotFound):
        actions.do_move_player(seated[0], table.pk, 999_999)


@pytest.mark.parametrize("forward", [True, False])
def test_both_tables_are_locked_by_ascending_id_whichever_way_the_player_goes(
        table, other, seated, monkeypatch, forward):
    locked = []
    lock = base.lock_table
    monkeypatch.setattr(base, "lock_table", lambda table_id: locked.append(table_id) or lock(table_id))
    source, destination = (table, other) if forward else (other, table)
    if not forward:
        actions.do_move_player(seated[0], table.pk, other.pk)
        locked.clear()
    # when
    actions.do_move_player(seated[0], source.pk, destination.pk)
    # then
    assert locked == sorted([table.pk, other.pk])


def test_the_players_timers_follow_them(table, other, seated):
    # given: ann sitting out and disconnected, each with its timer at her seat
    ann = seated[0]
    actions.do_sit_out(ann, table.pk)
    actions.do_player_disconnected(ann)
    sit_out = pending(f"table:{table.pk}:seat:1:sit_out")
    grace = pending(f"table:{table.pk}:seat:1:grace")
    assert sit_out and grace
    # when
    seat = actions.do_move_player(ann, table.pk, other.pk, seat_number=2)
    # then: gone from the old seat, running with the same deadlines at the new one
    assert pending(f"table:{table.pk}:seat:1:sit_out") is None
    assert pending(f"table:{table.pk}:seat:1:grace") is None
    assert pending(f"table:{other.pk}:seat:2:sit_out").due_at == sit_out.due_at
    assert pending(f"table:{other.pk}:seat:2:grace").due_at == grace.due_at
    assert (seat.status, seat.disconnected_at is not None) == (SeatStatus.SITTING_OUT, True)
    shown = table_events(other)[-1]
    assert (shown.type, shown.data["seats"][0]["status"], shown.data["seats"][0]["disconnected"]) == (
        "TABLE_UPDATE", "sitting_out", True)


def test_a_move_asks_for_the_next_hand_at_both_tables(table, other, seated, players):
    # given: a player alone at the other table, so no hand is asked for there
    actions.do_join_table(players[3], other.pk, 500)
    assert pending(f"table:{other.pk}:next_hand") is None
    Deadline.objects.filter(key=f"table:{table.pk}:next_hand").delete()
    # when
    actions.do_move_player(seated[0], table.pk, other.pk)
    # then: two can play at each table
    assert pending(f"table:{other.pk}:next_hand") is not None
    assert pending(f"table:{table.pk}:next_hand") is not None
