"""Driving the lobby's coalescer by hand: time moved by the test, deadlines fired when due."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lobby.directory import SEND_ROWS
from pokerrt import clock
from pokerrt.realtime.models import Event
from pokerrt.timers import fire
from pokerrt.timers.models import Deadline


class HandClock(clock.SystemClock):
    """The time the timers read, moved only by :meth:`step` (sync tests fire deadlines themselves)."""

    def __init__(self) -> None:
        self.moment = timezone.now()

    def now(self) -> dt.datetime:
        return self.moment

    def step(self, seconds: float) -> None:
        self.moment += dt.timedelta(seconds=seconds)


class TickingClock(HandClock):
    """Like :class:`HandClock`, but every reading is a microsecond after the one before, as real time is."""

    def now(self) -> dt.datetime:
        self.moment += dt.timedelta(microseconds=1)
        return self.moment


def send_due_rows() -> int:
    """Fire the lobby's deadlines that are due now, as their wake-ups would; how many fired."""
    due = Deadline.objects.overdue(clock.now()).filter(handler=SEND_ROWS).values_list("key", "version")
    return sum(fire(key, version) for key, version in list(due))


def send_all_rows(hand_clock: HandClock) -> None:
    """Run the coalescer until nothing is pending, moving time to each next deadline."""
    while True:
        send_due_rows()
        pending = Deadline.objects.pending().filter(handler=SEND_ROWS).first()
        if pending is None:
            return
        hand_clock.moment = max(hand_clock.moment, pending.due_at)


def lobby_updates(lobby_id: int, after: int = 0) -> list[Event]:
    return list(Event.objects.filter(target="LOBBY", stream_id=str(lobby_id), type="LOBBY_UPDATE",
                                     seq__gt=after).order_by("seq"))
