"""The tables' part of the chip audit from the failing side: each break is reported and fails audit_chips."""

import io

import pytest
from django.core.management import CommandError, call_command

from pokerrt.accounts.actions import account_for
from pokerrt.accounts.audit import audit
from pokerrt.accounts.models import Account, AccountKind
from tables import actions, live
from tables.models import Seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_on_purpose(request):
    """The test corrupts the chips: the suite's audit after it would fail by design."""
    request.node.skip_chip_audit = True


def audit_chips_fails() -> list[str]:
    """Run audit_chips, require it to fail as manage.py would (exit status 1); its MISMATCH lines."""
    stderr = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("audit_chips", stdout=io.StringIO(), stderr=stderr)
    assert failed.value.returncode == 1
    return stderr.getvalue().splitlines()


def test_a_chip_destroyed_on_a_seat_is_reported_against_the_table_account(broken_on_purpose, table, seated):
    # when: a seat loses a chip that never left the table's account
    Seat.objects.filter(table=table, number=2).update(stack=999)
    # then
    problem = f"table {table.pk}: seat stacks 2999 but table account 3000"
    assert audit() == [problem]
    assert audit_chips_fails() == [f"MISMATCH {problem}"]


def test_a_chip_created_on_a_seat_is_reported_against_the_table_account(broken_on_purpose, table, seated):
    Seat.objects.filter(table=table, number=1).update(stack=1001)
    assert audit() == [f"table {table.pk}: seat stacks 3001 but table account 3000"]


def test_chips_left_in_the_account_of_a_table_nobody_sits_at_are_reported(broken_on_purpose, table, seated):
    # given: the seats were emptied behind the ledger's back
    Seat.objects.filter(table=table).update(user=None, stack=0, status="empty")
    # then: the table account still holds the 3,000 chips no seat has
    assert audit() == [f"table {table.pk}: seat stacks 0 but table account 3000"]


def test_chips_on_a_table_that_never_took_a_buy_in_are_reported(broken_on_purpose, table, players):
    # given: a seat given chips directly, so no ledger account exists for the table at all
    Seat.objects.filter(table=table, number=1).update(user=players[0], stack=500, status="active")
    assert not Account.objects.filter(kind=AccountKind.TABLE, ref=str(table.pk)).exists()
    assert audit() == [f"table {table.pk}: seat stacks 500 but table account 0"]


def test_a_table_account_short_of_its_seats_is_reported(broken_on_purpose, table, seated):
    account = account_for(AccountKind.TABLE, table.pk)
    Account.objects.filter(pk=account.pk).update(balance=2_990)
    problems = audit()
    assert f"table {table.pk}: seat stacks 3000 but table account 2990" in problems
    assert "all balances add up to -10, not 0: chips were created or destroyed" in problems


def test_a_live_hand_that_loses_a_chip_is_reported(broken_on_purpose, table, seated):
    # given: a hand in play, its blinds posted
    hand = actions.do_start_hand(table.pk)
    assert audit() == []
    # when: the live hand this process plays from drops 5 chips from a stack
    dealt = live.engine_hand(hand)
    dealt.state.stacks[0] -= 5
    # then: the hand no longer holds the chips it started with
    problem = f"hand {hand.pk}: started with 3000 chips, holds 2995"
    assert audit() == [problem]
    assert audit_chips_fails() == [f"MISMATCH {problem}"]
