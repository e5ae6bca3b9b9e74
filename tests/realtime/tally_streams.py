"""Test-only stream type TALLY and its commands, registered for communicator and live tests."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from pokerrt import errors
from pokerrt.accounts.errors import InsufficientFunds as AccountsInsufficientFunds
from pokerrt.realtime.processor import register_command, unregister_command
from pokerrt.realtime.registry import register_stream, unregister_stream

from . import tally_actions


def can_subscribe(stream_id: str, user: Any) -> bool:
    return not stream_id.startswith("secret") or user.is_staff


def exists(stream_id: str) -> bool:
    return not stream_id.startswith("missing")


def snapshot(stream_id: str, user: Any) -> dict[str, Any]:
    return {"total": tally_actions.tally_total(stream_id)}


class AddSerializer(serializers.Serializer):
    n = serializers.IntegerField(min_value=1, max_value=1000)
    times = serializers.IntegerField(min_value=1, max_value=500, default=1)
    pad = serializers.IntegerField(min_value=0, max_value=20000, default=0)


class GrantSerializer(serializers.Serializer):
    amount = serializers.IntegerField(min_value=1)


RAISES = {
    cls.code: cls
    for cls in (
        errors.Validation,
        errors.Unauthenticated,
        errors.Forbidden,
        errors.NotFound,
        errors.Conflict,
        errors.NotYourTurn,
        errors.IllegalAction,
        errors.InsufficientFunds,
    )
}


def fail(user: Any, stream_id: str | None, data: dict[str, Any]) -> None:
    code = data.get("code")
    if code == "ACCOUNTS_FUNDS":
        raise AccountsInsufficientFunds("10 chips asked, 0 available")
    if code in RAISES:
        raise RAISES[code]()
    raise RuntimeError("secret internals: password=hunter2")


def register() -> None:
    register_stream("TALLY", can_subscribe=can_subscribe, snapshot=snapshot, exists=exists)
    register_command(
        "ADD",
        "TALLY",
        serializer=AddSerializer,
        permission=lambda user, stream_id: not (stream_id or "").startswith("locked"),
        handler=lambda user, stream_id, data: {"total": tally_actions.do_add(stream_id, **data)},
    )
    register_command("FAIL", "TALLY", serializer=None, permission=None, handler=fail, needs_auth=False)
    register_command(
        "GRANT",
        "PLAYER",
        serializer=GrantSerializer,
        permission=lambda user, stream_id: user.is_staff or str(user.pk) == stream_id,
        handler=lambda user, stream_id, data: {"balance": tally_actions.do_grant(user, data["amount"])},
    )


def unregister() -> None:
    unregister_stream("TALLY")
    for type_, target in (("ADD", "TALLY"), ("FAIL", "TALLY"), ("GRANT", "PLAYER")):
        unregister_command(type_, target)
