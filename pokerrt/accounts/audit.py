"""Chip conservation: the checks behind ``manage.py audit_chips``.

The ledger proves itself (each account's balance is the sum of its entries;
all balances, the mint's negative one included, add up to zero). Apps that
hold chips outside wallets register a check that their own rows agree with
their ledger account, e.g. the tables app: seat stacks + pots == table account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Sum

from .models import Account, AccountKind, LedgerEntry

Check = Callable[[], Iterable[str]]
_checks: list[Check] = []


def register_check(check: Check) -> Check:
    """Add an app's check; it yields one message per mismatch it finds."""
    if check not in _checks:
        _checks.append(check)
    return check


def ledger_problems() -> Iterable[str]:
    credits = dict(
        LedgerEntry.objects.values_list("destination").annotate(total=Sum("amount")).order_by()
    )
    debits = dict(
        LedgerEntry.objects.values_list("source").annotate(total=Sum("amount")).order_by()
    )
    total = 0
    for account in Account.objects.order_by("pk"):
        expected = credits.get(account.pk, 0) - debits.get(account.pk, 0)
        total += account.balance
        if account.balance != expected:
            yield f"{account}: balance {account.balance} but its entries sum to {expected}"
        if account.kind != AccountKind.MINT and account.balance < 0:
            yield f"{account}: negative balance {account.balance}"
    if total != 0:
        yield f"all balances add up to {total}, not 0: chips were created or destroyed"
    for entry in LedgerEntry.objects.filter(amount__lte=0):
        yield f"ledger entry {entry.pk} moves a non-positive amount {entry.amount}"


def audit() -> list[str]:
    """Every problem found; an empty list means the chips are conserved."""
    problems = list(ledger_problems())
    for check in _checks:
        problems.extend(check())
    return problems


def summary() -> dict[str, int]:
    """Chips per kind of account, for the audit report."""
    rows = Account.objects.values_list("kind").annotate(total=Sum("balance")).order_by()
    return {kind: total for kind, total in rows}
