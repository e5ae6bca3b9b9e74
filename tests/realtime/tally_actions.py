"""State changes of the test-only streams: the one test module that emits, as an app's actions.py does."""

from __future__ import annotations

from typing import Any, TypedDict

from django.db import transaction

from pokerrt.accounts.actions import do_transfer, mint_account, wallet_of
from pokerrt.accounts.models import Reason, user_ref
from pokerrt.realtime.events import UserRef
from pokerrt.realtime.models import Event
from pokerrt.realtime.streams import emit, lock_stream


class BalanceUpdate(TypedDict):
    """What :func:`do_grant` tells the PLAYER stream; TALLY, a test-only target, declares nothing."""

    user: UserRef
    balance: int
    change: int


EVENTS: dict[tuple[str, str], type] = {("PLAYER", "BALANCE_UPDATE"): BalanceUpdate}


def tally_total(stream_id: str) -> int:
    last = Event.objects.filter(target="TALLY", stream_id=stream_id).order_by("-seq").first()
    return last.data["total"] if last else 0


def do_add(stream_id: str, n: int, times: int = 1, pad: int = 0) -> int:
    """Add ``n`` to a tally ``times`` times, one ADD event each; returns the total."""
    with transaction.atomic():
        lock_stream("TALLY", stream_id)
        total = tally_total(stream_id)
        for _ in range(times):
            total += n
            data: dict[str, Any] = {"n": n, "total": total}
            if pad:
                data["pad"] = "x" * pad
            emit("TALLY", stream_id, "ADD", data)
        return total


def do_grant(user: Any, amount: int) -> int:
    """Credit a user's wallet from the mint; the PLAYER stream says so."""
    with transaction.atomic():
        wallet = wallet_of(user)
        do_transfer(mint_account(), wallet, amount, Reason.TOP_UP, memo="test grant")
        emit(
            "PLAYER",
            user.pk,
            "BALANCE_UPDATE",
            {"user": user_ref(user), "balance": wallet.balance, "change": amount},
        )
        return wallet.balance
