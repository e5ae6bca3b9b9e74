"""Which relay publishes which stream: lease rows, claimed with one conditional UPDATE.

The same statements are correct on PostgreSQL and SQLite: an UPDATE whose
WHERE says "mine, or expired" is re-checked by PostgreSQL after any
concurrent writer of the row commits, and SQLite runs one writer at a time.
A relay publishes only the streams whose lease it holds, so each stream has
one publisher at a time and its events go out in seq order.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator

from django.db.models import Q
from django.utils import timezone

from .models import RelayLease

# A stream: (target, stream id).
StreamKey = tuple[str, str]


def any_of(streams: list[StreamKey]) -> Q:
    return functools.reduce(operator.or_, (Q(target=target, stream_id=sid) for target, sid in streams))


def claim_streams(holder: str, streams: list[StreamKey], seconds: float) -> list[StreamKey]:
    """Take or renew the leases of ``streams`` that are free, expired or already ours; return ours."""
    if not streams:
        return []
    now = timezone.now()
    until = now + dt.timedelta(seconds=seconds)
    wanted = any_of(streams)
    RelayLease.objects.filter(wanted).filter(Q(holder=holder) | Q(expires_at__lt=now)).update(
        holder=holder, expires_at=until
    )
    leased = set(RelayLease.objects.filter(wanted).values_list("target", "stream_id"))
    fresh = [RelayLease(target=target, stream_id=sid, holder=holder, expires_at=until)
             for target, sid in streams if (target, sid) not in leased]
    if fresh:
        # Another relay creating the same row first wins; ours is dropped.
        RelayLease.objects.bulk_create(fresh, ignore_conflicts=True)
    return list(
        RelayLease.objects.filter(wanted, holder=holder, expires_at__gt=now).values_list("target", "stream_id")
    )


def release_streams(holder: str) -> int:
    """Give up every lease of ``holder`` (a relay stopping cleanly), so others need not wait for expiry."""
    count, _ = RelayLease.objects.filter(holder=holder).delete()
    return count
