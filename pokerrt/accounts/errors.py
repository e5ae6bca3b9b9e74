"""Typed errors of the accounts domain, mapped to protocol codes by their callers."""


class InsufficientFunds(Exception):
    """The source account holds fewer chips than the transfer asks for."""

    code = "INSUFFICIENT_FUNDS"


class UsernameTaken(Exception):
    """Another account has this name, or one equal to it ignoring case and width."""

    code = "VALIDATION"
