"""Every change to users, wallets and the ledger.

Other apps move chips by calling :func:`do_transfer` inside their own
transaction, so the chips and the state change that caused them commit (or
roll back) together.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F

from pokerrt import errors

from .errors import InsufficientFunds, UsernameTaken
from .models import Account, AccountKind, CanonicalUsername, LedgerEntry, Reason
from .usernames import TAKEN, canonical, is_taken


def mint_account() -> Account:
    account, _ = Account.objects.get_or_create(kind=AccountKind.MINT, ref="")
    return account


def account_for(kind: AccountKind, ref: object) -> Account:
    """The account of a table or prize pool, opened on first use."""
    account, _ = Account.objects.get_or_create(kind=kind, ref=str(ref))
    return account


def do_open_wallet(user: AbstractBaseUser) -> Account:
    """Open ``user``'s wallet and credit the starting grant, once."""
    with transaction.atomic():
        wallet, created = Account.objects.get_or_create(
            kind=AccountKind.WALLET, ref=str(user.pk), defaults={"user": user}
        )
        if created and settings.POKERRT_STARTING_BALANCE > 0:
            do_transfer(
                mint_account(),
                wallet,
                settings.POKERRT_STARTING_BALANCE,
                Reason.GRANT,
                memo="starting balance",
            )
            wallet.refresh_from_db(fields=["balance"])
        return wallet


def do_create_user(username: str, password: str, **extra: object) -> AbstractBaseUser:
    """Create a player account with its wallet and its claim on the name (signals add both).

    Raises UsernameTaken when the name, or one equal to it ignoring case and
    width, is taken, by an earlier account or by a sign-up that committed
    while this one ran: the unique indexes decide, not the check before.
    """
    try:
        with transaction.atomic():
            return get_user_model().objects.create_user(username=username, password=password, **extra)
    except IntegrityError:
        if is_taken(username):
            raise UsernameTaken(TAKEN, details={"username": [TAKEN]}) from None
        raise


def do_claim_username(user: AbstractBaseUser) -> None:
    """Record the canonical form of ``user``'s name; the unique index refuses a taken one."""
    CanonicalUsername.objects.update_or_create(
        user=user, defaults={"canonical": canonical(user.get_username())}
    )


def do_transfer(
    source: Account, destination: Account, amount: int, reason: str, memo: str = ""
) -> LedgerEntry:
    """Move ``amount`` chips; must run inside the caller's transaction.

    Both rows are locked in id order (the one lock order of the ledger) so two
    transfers touching the same accounts cannot deadlock.
    """
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValueError(f"a transfer moves a positive whole number of chips, not {amount!r}")
    if source.pk == destination.pk:
        raise ValueError("a transfer needs two different accounts")
    locked = {
        a.pk: a
        for a in Account.objects.select_for_update()
        .filter(pk__in=sorted([source.pk, destination.pk]))
        .order_by("pk")
    }
    if source.kind != AccountKind.MINT and locked[source.pk].balance < amount:
        raise InsufficientFunds(
            f"{amount} chips asked, {locked[source.pk].balance} available"
        )
    Account.objects.filter(pk=source.pk).update(balance=F("balance") - amount)
    Account.objects.filter(pk=destination.pk).update(balance=F("balance") + amount)
    source.balance = locked[source.pk].balance - amount
    destination.balance = locked[destination.pk].balance + amount
    return LedgerEntry.objects.create(
        source=source, destination=destination, amount=amount, reason=reason, memo=memo
    )


def wallet_of(user: AbstractBaseUser) -> Account:
    """The user's wallet, opened (with its grant) if it is missing."""
    try:
        return Account.objects.get(kind=AccountKind.WALLET, ref=str(user.pk))
    except Account.DoesNotExist:
        return do_open_wallet(user)


# Far above any real correction, far below what the balance column overflows at.
MAX_ADJUSTMENT = 10**12


def do_adjust_wallet(user: AbstractBaseUser, amount: int, reason: str, by: AbstractBaseUser) -> LedgerEntry:
    """Staff correct ``user``'s balance by ``amount`` (negative takes chips), with the reason on the ledger.

    Double-entry like every move: the chips come from the mint or go back to
    it, so the audit still adds up to zero; the memo keeps who did it and why.
    VALIDATION for a zero, non-whole or huge amount or an empty reason;
    INSUFFICIENT_FUNDS for taking more than the wallet holds.
    """
    problems = {}
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0 or abs(amount) > MAX_ADJUSTMENT:
        problems["amount"] = [f"A whole number of chips, not 0, at most {MAX_ADJUSTMENT} either way."]
    reason = (reason or "").strip()
    memo = f"by {by.get_username()}: {reason}"
    if not reason or len(memo) > LedgerEntry._meta.get_field("memo").max_length:
        problems["reason"] = ["Say why, in a line (at most about 150 characters)."]
    if problems:
        raise errors.Validation(details=problems)
    with transaction.atomic():
        wallet = wallet_of(user)
        source, destination = (mint_account(), wallet) if amount > 0 else (wallet, mint_account())
        try:
            return do_transfer(source, destination, abs(amount), Reason.ADJUSTMENT, memo=memo)
        except InsufficientFunds:
            raise errors.InsufficientFunds(
                f"The wallet holds {Account.objects.get(pk=wallet.pk).balance}; {-amount} cannot be taken."
            ) from None
