"""A group's event handed straight to this node's member consumers, when nothing is queued for them.

The usual way a group message reaches a socket is a copy put into each
member's channel, which wakes the member's consumer task, which Channels'
``await_many_dispatch`` hands to ``dispatch`` (a new receive task, an
``asyncio.wait`` per message), which sends the frame through Daphne. For
a lobby watched by 200 sockets that path was most of the ~300 us of the node
each lobby frame cost, on the event loop that also sends the table frames
(issue 11's benchmark; loadtest/README.md, "The live lobby").

Here the channel layer asks first: a member whose consumer is parked on its
empty channel, and not handling anything, takes the event at once, in the
sender's turn of the loop (``RealtimeConsumer.take_event``): the same checks
as its ``event_send`` and its frame into its outbox, the socket's one
ordered writer. Otherwise (something queued or being handled, an event that
needs the journal, a channel of another process) the layer puts the message
in the channel as before. Nothing is queued ahead of an event taken this
way, so each socket's frames keep their order.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class Member(Protocol):
    def take_event(self, message: dict[str, Any]) -> bool: ...


# This node's consumers by channel name, from connect to release.
_members: dict[str, Member] = {}


def register(channel: str, consumer: Member) -> None:
    _members[channel] = consumer


def unregister(channel: str) -> None:
    _members.pop(channel, None)


def hand_over(channel: str, message: dict[str, Any]) -> bool:
    """Whether the consumer of ``channel`` took the event now; call only when nothing waits in its channel."""
    consumer = _members.get(channel)
    if consumer is None:
        return False
    try:
        return consumer.take_event(message)
    except Exception:
        # A bug in one consumer must not cost the group's other members the
        # event: this one gets it through its channel, and fails in its own task.
        logger.exception("handing %s an event failed", channel)
        return False
