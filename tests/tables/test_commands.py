"""The TABLE commands through the processor: bad input is VALIDATION and changes nothing."""

import pytest

from pokerrt import errors
from pokerrt.realtime import processor
from pokerrt.realtime.envelope import Command
from pokerrt.realtime.models import Event
from tables import actions
from tables.models import Seat

from .helpers import current_hand, user_at

pytestmark = pytest.mark.django_db


def send(user, type_, table_id, data):
    return processor.process(Command(type_, "TABLE", str(table_id), data), user)


@pytest.mark.parametrize(
    "data",
    [
        {"action": "raise", "amount": -20},
        {"action": "raise", "amount": 0},
        {"action": "raise", "amount": 10**15},
        {"action": "raise", "amount": 20.5},
        {"action": "raise", "amount": "20"},
        {"action": "raise", "amount": True},
        {"action": "raise"},
        {"action": "bet", "amount": None},
        {"action": "shove"},
        {"action": "call", "extra": 1},
        {},
    ],
)
def test_bad_betting_commands_are_validation_errors_and_change_nothing(table, seated, data):
    actions.do_start_hand(table.pk)
    hand = current_hand(table)
    events = Event.objects.count()
    with pytest.raises(errors.Validation):
        send(user_at(hand, 1), "PLAYER_ACTION", table.pk, data)
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    "data",
    [{"buy_in": -500}, {"buy_in": "500"}, {"buy_in": 500.0}, {"buy_in": 10**15}, {},
     {"buy_in": 500, "seat": 0}, {"buy_in": 500, "seat": "2"}, {"buy_in": 500, "chips": 1}],
)
def test_bad_joins_are_validation_errors(table, players, data):
    with pytest.raises(errors.Validation):
        send(players[0], "TABLE_JOIN", table.pk, data)
    assert not Seat.objects.filter(user=players[0]).exists()


def test_join_and_act_through_commands(table, players):
    assert send(players[0], "TABLE_JOIN", table.pk, {"buy_in": 500, "seat": 3}) == {"seat": 3}
    send(players[1], "TABLE_JOIN", table.pk, {"buy_in": 500})
    hand = actions.do_start_hand(table.pk)
    first = user_at(hand, 3) if hand.button == 3 else user_at(hand, 1)
    send(first, "PLAYER_ACTION", table.pk, {"action": "call", "hand_id": str(hand.pk), "turn": 1})
    assert Event.objects.filter(target="TABLE", type="PLAYER_ACTION", data__action="call").exists()


def test_staff_commands_need_staff(table, players, staff_user, lobby):
    with pytest.raises(errors.Forbidden):
        send(players[0], "TABLE_CREATE", None, {"lobby": lobby.pk, "name": "Mine"})
    created = send(staff_user, "TABLE_CREATE", None, {"lobby": lobby.pk, "name": "Staff table",
                                                      "small_blind": 25, "big_blind": 50})
    with pytest.raises(errors.Validation):
        send(staff_user, "TABLE_UPDATE", created["table_id"], {"small_blind": 100, "big_blind": 50})
    send(staff_user, "TABLE_UPDATE", created["table_id"], {"name": "Renamed"})
    send(staff_user, "TABLE_DELETE", created["table_id"], {})
    with pytest.raises(errors.NotFound):
        send(staff_user, "TABLE_DELETE", created["table_id"], {})
    with pytest.raises(errors.NotFound):
        send(staff_user, "TABLE_CREATE", None, {"lobby": 999, "name": "Nowhere"})


def test_anonymous_users_cannot_join(table):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(errors.Unauthenticated):
        send(AnonymousUser(), "TABLE_JOIN", table.pk, {"buy_in": 500})


def test_settings_the_model_refuses_are_validation_not_internal(staff_user, lobby):
    # a small blind above the default big blind: only the model's constraint sees it
    with pytest.raises(errors.Validation):
        send(staff_user, "TABLE_CREATE", None, {"lobby": lobby.pk, "name": "Odd", "small_blind": 50})
