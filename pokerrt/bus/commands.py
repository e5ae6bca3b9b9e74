"""One inbound command message, run exactly once: parsed, authenticated, processed, recorded.

The message is a protocol command frame (PROTOCOL.md section 2) as JSON, with
the acting user's credential in the ``authorization`` header
(``Token <key>``, a DRF token as the socket takes). It goes through the
socket's own processor and actions; its ``message_id`` is recorded in the
same transaction as the command's effects, so a redelivery changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from pokerrt import errors, retry
from pokerrt.realtime import processor
from pokerrt.realtime.envelope import Command, parse_command

from .models import ProcessedMessage

MAX_MESSAGE_ID = 255


@dataclass(frozen=True)
class Outcome:
    """What became of a command message: done now (with the ACK's result), or done before."""

    command: Command
    result: object = None
    duplicate: bool = False


def user_for(headers: dict[str, Any]) -> Any:
    """The user a message acts for: its ``Token`` credential's, or anonymous without one.

    A credential that is present but names no active user's token is refused
    outright, as the socket's handshake is: never a silent fall back to anonymous.
    """
    from rest_framework.authtoken.models import Token

    value = headers.get("authorization")
    if value is None:
        return AnonymousUser()
    if isinstance(value, bytes):
        value = value.decode("latin1")
    scheme, _, key = str(value).strip().partition(" ")
    token = Token.objects.select_related("user").filter(key=key.strip()).first() if scheme.lower() == "token" else None
    if token is None or not token.user.is_active:
        raise errors.Unauthenticated("The message's authorization names no active user's token.")
    return token.user


def read_command(body: bytes) -> Command:
    try:
        content = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise errors.BadFrame(f"The body is not JSON: {error}.") from None
    return parse_command(content)


def check_message_id(message_id: str | None) -> str:
    if not message_id or len(message_id) > MAX_MESSAGE_ID:
        raise errors.Validation(
            "A command message needs a message_id: redeliveries are recognised by it.",
            details={"message_id": [f"Required, at most {MAX_MESSAGE_ID} characters."]},
        )
    return message_id


def run_command(message_id: str | None, headers: dict[str, Any], body: bytes) -> Outcome:
    """Run the message's command once; raises the PokerrtError that refuses it."""
    message_id = check_message_id(message_id)
    command = read_command(body)
    user = user_for(headers)
    try:
        # The record and the command are one transaction, retried whole after
        # a deadlock (pokerrt.retry): the processor's own retry stands aside inside it.
        return retry.call(_run_once, message_id, command, user, what=f"command message {message_id}")
    except IntegrityError:
        if ProcessedMessage.objects.filter(message_id=message_id).exists():
            return Outcome(command, duplicate=True)
        raise


def _run_once(message_id: str, command: Command, user: Any) -> Outcome:
    with transaction.atomic():
        # First, so a concurrent duplicate waits on this row's unique key
        # (PostgreSQL) or on the database's one writer (SQLite), then finds it.
        _, created = ProcessedMessage.objects.get_or_create(
            message_id=message_id, defaults={"command_type": command.type}
        )
        if not created:
            return Outcome(command, duplicate=True)
        return Outcome(command, processor.process(command, user))


def forget_processed_messages(now: dt.datetime | None = None) -> int:
    """Delete the records of messages processed more than EVENT_BUS_DEDUPE_DAYS ago; returns how many.

    A broker redelivers within minutes; the window is for senders that retry
    on their own. A message sent again after it is deleted runs again.
    """
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.EVENT_BUS_DEDUPE_DAYS)
    count, _ = ProcessedMessage.objects.filter(processed_at__lt=cutoff).delete()
    return count
