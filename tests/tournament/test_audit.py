"""The tournament's part of the chip audit: pools and fees agree with the entries, or each break is reported."""

import io

import pytest
from django.core.management import call_command

from pokerrt.accounts.actions import account_for
from pokerrt.accounts.audit import audit
from pokerrt.accounts.models import Account, AccountKind
from tournament import actions
from tournament.models import Entry, EntryStatus

pytestmark = pytest.mark.django_db


def test_audit_chips_holds_through_registering_unregistering_and_cancelling(sng, players, lobby):
    other = actions.do_create_tournament(lobby, "Other", buy_in=50, fee=5)
    for player in players[:4]:
        actions.do_register(player, sng.pk)
        actions.do_register(player, other.pk)
    actions.do_unregister(players[0], sng.pk)
    assert audit() == []
    actions.do_cancel_tournament(other.pk)
    assert audit() == []
    out = io.StringIO()
    call_command("audit_chips", stdout=out)


def test_a_pool_short_of_its_buy_ins_is_reported(broken_on_purpose, sng, players):
    actions.do_register(players[0], sng.pk)
    Account.objects.filter(kind=AccountKind.POOL, ref=str(sng.pk)).update(balance=90)
    assert f"tournament {sng.pk}: pool 90 but buy-ins less prizes 100" in audit()


def test_an_entry_refunded_behind_the_ledger_s_back_is_reported(broken_on_purpose, sng, players):
    actions.do_register(players[0], sng.pk)
    Entry.objects.filter(tournament=sng).update(status=EntryStatus.UNREGISTERED)
    assert audit() == [f"tournament {sng.pk}: pool 100 but buy-ins less prizes 0",
                       "house account 10 but the live entries paid 0 in fees"]


def test_a_prize_recorded_but_never_paid_is_reported(broken_on_purpose, sng, players):
    actions.do_register(players[0], sng.pk)
    Entry.objects.filter(tournament=sng).update(prize=60)
    assert audit() == [f"tournament {sng.pk}: pool 100 but buy-ins less prizes 40"]


def test_chips_in_the_pool_of_a_tournament_without_entries_are_reported(broken_on_purpose, sng):
    account_for(AccountKind.POOL, sng.pk)
    Account.objects.filter(kind=AccountKind.POOL, ref=str(sng.pk)).update(balance=5)
    assert f"tournament {sng.pk}: pool 5 but buy-ins less prizes 0" in audit()
