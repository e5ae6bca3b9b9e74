"""Typed errors of the accounts domain, each a ``pokerrt.errors`` error carrying its protocol code."""

from pokerrt import errors


class InsufficientFunds(errors.InsufficientFunds):
    """The source account holds fewer chips than the transfer asks for."""


class UsernameTaken(errors.Validation):
    """Another account has this name, or one equal to it ignoring case and width."""
