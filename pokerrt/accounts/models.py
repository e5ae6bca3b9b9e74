"""Chip accounts and the ledger: data and queries only (actions.py changes them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AccountKind(models.TextChoices):
    """Where chips can be. Every chip is in exactly one account at a time."""

    MINT = "mint", "Mint"  # the source of play money; its balance goes negative
    WALLET = "wallet", "Player wallet"  # a user's balance
    TABLE = "table", "Table"  # chips in play at one table (seat stacks and pots)
    POOL = "pool", "Tournament prize pool"
    HOUSE = "house", "House fees"  # tournament fees; its one account has ref ""


class Reason(models.TextChoices):
    """Why chips moved: what a ledger entry records beside where from and to."""

    GRANT = "grant", "Starting grant"
    TOP_UP = "top_up", "Staff top-up"
    BUY_IN = "buy_in", "Table buy-in"
    CASH_OUT = "cash_out", "Table cash-out"
    TABLE_MOVE = "table_move", "Moved to another table"
    REGISTER = "register", "Tournament registration"
    UNREGISTER = "unregister", "Tournament unregistration"
    PRIZE = "prize", "Tournament prize"
    FEE = "fee", "Tournament fee"
    CANCEL_REFUND = "cancel_refund", "Tournament cancelled: refund"
    # Either way, with staff's reason in the memo (do_adjust_wallet).
    ADJUSTMENT = "adjustment", "Staff adjustment"


class Account(models.Model):
    kind = models.CharField(max_length=8, choices=AccountKind.choices)
    # The owner's id in its own table: user id, table id, tournament id ("" for the mint).
    ref = models.CharField(max_length=32, blank=True, default="")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wallet",
    )
    # Cached sum of the entries; audit_chips proves it equals them.
    balance = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref"], name="account_kind_ref_unique"),
            models.CheckConstraint(
                condition=models.Q(kind="mint") | models.Q(balance__gte=0),
                name="account_balance_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}" if self.ref else self.kind


class LedgerEntry(models.Model):
    """One movement of chips between two accounts. Append-only."""

    source = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="debits")
    destination = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="credits")
    amount = models.BigIntegerField()
    reason = models.CharField(max_length=16, choices=Reason.choices)
    memo = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.source} -> {self.destination} ({self.reason})"


class CanonicalUsername(models.Model):
    """A user's name as uniqueness sees it (``usernames.canonical``): one user per name.

    Django's own username column is unique only as typed, case included. This
    row is written in the same transaction as the user (a signal keeps it in
    step with every save that changes the name), so its unique index refuses
    ``Alice`` after ``alice`` even when both sign up at the same instant.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="canonical_username",
    )
    # A text column: case folding may make a name longer than the 150
    # characters the user table allows.
    canonical = models.TextField(unique=True)

    def __str__(self) -> str:
        return self.canonical


def user_ref(user: Any) -> dict[str, str]:
    """A user as every event names one: ``{id, username}``, the id a string."""
    return {"id": str(user.pk), "username": user.get_username()}
