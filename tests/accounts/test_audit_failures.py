"""The ledger audit from the failing side: a chip destroyed is reported, and audit_chips exits non-zero."""

import io
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from pokerrt.accounts.actions import account_for, do_transfer, wallet_of
from pokerrt.accounts.audit import audit
from pokerrt.accounts.models import Account, AccountKind, Reason
from tests.live import REPO, process_env

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_on_purpose(request):
    """The test corrupts the chips: the suite's audit after it would fail by design."""
    request.node.skip_chip_audit = True


def test_the_smallest_transfer_is_sound(user):
    # one chip is a positive amount: only zero or less is a broken entry
    with transaction.atomic():
        do_transfer(wallet_of(user), account_for(AccountKind.POOL, 1), 1, Reason.REGISTER)
    assert audit() == []


def test_a_chip_destroyed_in_a_wallet_is_reported_as_missing(broken_on_purpose, user):
    # when: one chip vanishes from a wallet, no ledger entry saying where it went
    Account.objects.filter(pk=wallet_of(user).pk).update(balance=9_999)
    # then: the wallet disagrees with its entries, and the total is one short
    problems = audit()
    assert f"wallet:{user.pk}: balance 9999 but its entries sum to 10000" in problems
    assert "all balances add up to -1, not 0: chips were created or destroyed" in problems


def test_chips_created_in_a_wallet_are_reported_as_extra(broken_on_purpose, user):
    Account.objects.filter(pk=wallet_of(user).pk).update(balance=10_250)
    assert "all balances add up to 250, not 0: chips were created or destroyed" in audit()


def test_audit_chips_command_fails_with_every_problem_on_stderr(broken_on_purpose, user):
    Account.objects.filter(pk=wallet_of(user).pk).update(balance=9_999)
    stderr = io.StringIO()
    with pytest.raises(CommandError, match=r"chip audit failed: 2 problem\(s\)") as failed:
        call_command("audit_chips", stdout=io.StringIO(), stderr=stderr)
    # manage.py exits with the error's return code
    assert failed.value.returncode == 1
    assert stderr.getvalue().splitlines() == [
        f"MISMATCH wallet:{user.pk}: balance 9999 but its entries sum to 10000",
        "MISMATCH all balances add up to -1, not 0: chips were created or destroyed",
    ]


@pytest.mark.slow  # starts a Django process
@pytest.mark.django_db(transaction=True)
def test_manage_py_audit_chips_exits_non_zero_on_a_destroyed_chip(broken_on_purpose, user):
    # given: a committed corruption the command's own process reads
    Account.objects.filter(pk=wallet_of(user).pk).update(balance=9_999)
    # when
    run = subprocess.run([sys.executable, "manage.py", "audit_chips"], cwd=REPO, env=process_env(),
                         capture_output=True, text=True, timeout=120)
    # then
    assert run.returncode == 1, run.stdout + run.stderr
    assert "MISMATCH all balances add up to -1, not 0" in run.stderr
    assert "chips conserved" not in run.stdout

