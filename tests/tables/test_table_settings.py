"""Staff table settings are checked on the whole table, stored values included; a refusal changes nothing."""

import pytest

from pokerrt import errors
from pokerrt.realtime import processor
from pokerrt.realtime.envelope import Command
from pokerrt.realtime.models import Event
from tables.models import Table

pytestmark = pytest.mark.django_db


def send(user, type_, table_id, data):
    return processor.process(Command(type_, "TABLE", table_id and str(table_id), data), user)


def settings_of(table_id):
    return Table.objects.filter(pk=table_id).values().get()


@pytest.mark.parametrize(
    "change, named",
    [
        ({"min_buy_in": 50_000}, {"min_buy_in", "max_buy_in"}),  # the stored maximum is 2,000
        ({"max_buy_in": 50}, {"min_buy_in", "max_buy_in"}),  # the stored minimum is 100
        ({"small_blind": 20}, {"small_blind", "big_blind"}),  # the stored big blind is 10
        ({"big_blind": 4}, {"small_blind", "big_blind"}),  # the stored small blind is 5
        ({"big_blind": 5_000, "small_blind": 5}, {"big_blind", "max_buy_in"}),  # nobody could post it
    ],
)
def test_an_update_that_does_not_fit_the_stored_settings_is_validation_and_changes_nothing(
    table, staff_user, change, named
):
    before, events = settings_of(table.pk), Event.objects.count()
    # when
    with pytest.raises(errors.Validation) as refused:
        send(staff_user, "TABLE_UPDATE", table.pk, change)
    # then
    assert set(refused.value.details) == named
    assert settings_of(table.pk) == before
    assert Event.objects.count() == events


def test_a_new_table_is_checked_against_the_defaults_it_takes(staff_user, lobby):
    # the default maximum buy-in is 2,000
    with pytest.raises(errors.Validation) as refused:
        send(staff_user, "TABLE_CREATE", None, {"lobby": lobby.pk, "name": "Deep", "min_buy_in": 5_000})
    assert set(refused.value.details) == {"min_buy_in", "max_buy_in"}
    assert not Table.objects.filter(name="Deep").exists()


def test_settings_that_fit_together_are_taken(table, staff_user):
    send(staff_user, "TABLE_UPDATE", table.pk, {"min_buy_in": 5_000, "max_buy_in": 10_000})
    assert (settings_of(table.pk)["min_buy_in"], settings_of(table.pk)["max_buy_in"]) == (5_000, 10_000)


def test_removing_a_taken_seat_is_a_conflict_naming_max_seats(table, seated, staff_user):
    before = settings_of(table.pk)
    with pytest.raises(errors.Conflict) as refused:
        send(staff_user, "TABLE_UPDATE", table.pk, {"max_seats": 2})
    assert set(refused.value.details) == {"max_seats"}
    assert settings_of(table.pk) == before
