"""The log-in and sign-up limits: who is counted, and which attempts are forgiven.

A log-in is counted against its username and its address before the password
is checked; one that succeeds clears its username's count and is taken back
from its address, so what the limits hold back is failures. A sign-up is
counted against its address once it is valid, and taken back if it created
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from pokerrt.throttling import Attempt, Rate, Throttle, client_address

from .usernames import canonical


def throttle(scope: str) -> Throttle:
    return Throttle(scope, Rate.parse(settings.POKERRT_THROTTLES[scope]))


@dataclass(frozen=True)
class LogIn:
    """One log-in attempt, counted against its username and its address."""

    by_username: Attempt
    by_address: Attempt

    @property
    def wait(self) -> int:
        """Seconds before this client may try again; 0 when it may go ahead now."""
        return max(self.by_username.wait, self.by_address.wait)

    def succeeded(self) -> None:
        self.by_username.clear()
        self.by_address.give_back()


def count_log_in(request: HttpRequest, username: str) -> LogIn:
    by_address = throttle("login_address").take(client_address(request))
    # One count for Alice, alice and ａｌｉｃｅ: they are one account.
    by_username = throttle("login_username").take(canonical(username)) if username else Attempt(wait=0)
    return LogIn(by_username, by_address)


def count_sign_up(request: HttpRequest) -> Attempt:
    return throttle("signup_address").take(client_address(request))
