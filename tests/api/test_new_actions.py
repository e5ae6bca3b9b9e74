"""The actions added for staff: adjusting a wallet, changing and deleting blind structures."""

from __future__ import annotations

import pytest

from pokerrt import errors
from pokerrt.accounts.actions import MAX_ADJUSTMENT, do_adjust_wallet, wallet_of
from pokerrt.accounts.models import LedgerEntry, Reason
from tournament.actions import do_create_structure, do_delete_structure, do_update_structure
from tournament.models import BlindStructure
from tournament.structures import Level

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("amount", [0, True, 1.5, "10", MAX_ADJUSTMENT + 1, -MAX_ADJUSTMENT - 1])
def test_an_adjustment_is_a_nonzero_whole_number_within_bounds(user, staff_user, amount):
    with pytest.raises(errors.Validation) as refused:
        do_adjust_wallet(user, amount, "typo", staff_user)
    assert "amount" in refused.value.details
    assert not LedgerEntry.objects.filter(reason=Reason.ADJUSTMENT).exists()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 200])
def test_an_adjustment_says_why_in_a_line(user, staff_user, reason):
    with pytest.raises(errors.Validation) as refused:
        do_adjust_wallet(user, 10, reason, staff_user)
    assert "reason" in refused.value.details


def test_an_adjustment_is_double_entry_against_the_mint(user, staff_user):
    before = wallet_of(user).balance
    credit = do_adjust_wallet(user, 40, "goodwill", staff_user)
    debit = do_adjust_wallet(user, -15, "duplicate", staff_user)
    assert (credit.source.kind, credit.destination.user_id) == ("mint", user.pk)
    assert (debit.source.user_id, debit.destination.kind) == (user.pk, "mint")
    assert wallet_of(user).balance == before + 25
    with pytest.raises(errors.InsufficientFunds):
        do_adjust_wallet(user, -(before + 26), "too much", staff_user)
    assert wallet_of(user).balance == before + 25


def test_a_structure_changes_only_while_unused(lobby):
    from tournament.actions import do_create_tournament

    structure = do_create_structure("slow", [Level(10, 20, minutes=20)])
    do_update_structure(structure.pk, name="slower", levels=[Level(10, 20, minutes=30), Level(20, 40, minutes=30)])
    structure.refresh_from_db()
    assert (structure.name, structure.levels.count()) == ("slower", 2)
    with pytest.raises(errors.Validation):
        do_update_structure(structure.pk, name="turbo")  # taken by a standard structure
    do_create_tournament(lobby, "Uses it", structure="slower")
    with pytest.raises(errors.Conflict):
        do_update_structure(structure.pk, description="changed")
    with pytest.raises(errors.Conflict):
        do_delete_structure(structure.pk)
    with pytest.raises(errors.NotFound):
        do_delete_structure(10**6)


def test_an_unused_structure_can_be_deleted():
    structure = do_create_structure("gone", [Level(10, 20, minutes=20)])
    do_delete_structure(structure.pk)
    assert not BlindStructure.objects.filter(pk=structure.pk).exists()
