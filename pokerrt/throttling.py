"""Attempts counted per key in fixed time windows, in the cache all nodes share."""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE_SYNTAX = re.compile(r"(\d+)/(\d*)([smhd])")


def now() -> float:
    """The clock windows are counted by (tests move it instead of waiting)."""
    return time.time()


@dataclass(frozen=True)
class Rate:
    """At most ``limit`` attempts per ``seconds``."""

    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """``"10/15m"`` is 10 per 15 minutes (units s, m, h, d); ``"off"`` is no limit."""
        text = text.strip().lower()
        if text == "off":
            return None
        match = RATE_SYNTAX.fullmatch(text.replace(" ", ""))
        if match is None or int(match[2] or 1) == 0:
            raise ImproperlyConfigured(f"{text!r} is not a rate: write it like 10/15m, 30/1h or off.")
        return cls(int(match[1]), int(match[2] or 1) * UNIT_SECONDS[match[3]])


@dataclass(frozen=True)
class Attempt:
    """One counted attempt, and what may be done once its outcome is known."""

    # Seconds to wait before trying again when the attempt was over the
    # limit; 0 when it may go ahead.
    wait: int
    # The counter it was added to (None when there is no limit).
    key: str | None = None

    def give_back(self) -> None:
        """The attempt turned out not to count (it succeeded, or created nothing)."""
        if self.key is not None:
            try:
                cache.decr(self.key)
            except ValueError:  # the window ended meanwhile: nothing left to give back to
                pass

    def clear(self) -> None:
        """Drop every attempt counted in this window (a successful log-in clears its name's)."""
        if self.key is not None:
            cache.delete(self.key)


@dataclass(frozen=True)
class Throttle:
    """Attempts per identity (a username, an address) under one name, ``scope``."""

    scope: str
    rate: Rate | None

    def take(self, identity: str) -> Attempt:
        """Count one attempt by ``identity``, before doing what it asks.

        Counting first (rather than checking, then counting once it failed)
        means a burst of parallel attempts cannot all slip in under the limit.
        """
        if self.rate is None:
            return Attempt(wait=0)
        moment = now()
        window = int(moment // self.rate.seconds)
        digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        key = f"throttle:{self.scope}:{digest}:{window}"
        # The key outlives its window a little, so a late give_back finds it.
        cache.add(key, 0, timeout=self.rate.seconds + 60)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=self.rate.seconds + 60)
            count = 1
        if count <= self.rate.limit:
            return Attempt(wait=0, key=key)
        return Attempt(wait=max(1, math.ceil((window + 1) * self.rate.seconds - moment)), key=key)


def client_address(request: HttpRequest) -> str:
    """Where a request comes from, as seen by the first proxy we trust.

    Behind ``POKERRT_TRUSTED_PROXIES`` proxies, REMOTE_ADDR is the nearest
    proxy and the client is that many entries from the end of
    X-Forwarded-For (entries further left are whatever the client claimed).
    An IPv6 client is counted by its /64, the block one subscriber gets.
    """
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.POKERRT_TRUSTED_PROXIES
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            address = forwarded[-min(hops, len(forwarded))]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
