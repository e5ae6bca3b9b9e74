"""The envelope of PROTOCOL.md section 2: server frames out, client commands in."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from pokerrt.errors import BadFrame, Validation

from .registry import has_canonical_ids

MAX_REF_LENGTH = 64

# PROTOCOL.md section 1: ASCII digits, no sign, no leading zero, no space.
CANONICAL_ID = re.compile(r"0|[1-9][0-9]*")


def format_timestamp(moment: dt.datetime) -> str:
    """RFC 3339 UTC with milliseconds and ``Z``: ``2026-11-26T10:00:00.123Z``."""
    # isoformat is C and twice as fast as strftime; it truncates to the
    # millisecond as the protocol's timestamps always have. Every frame has one.
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def canonical_id(value: Any) -> str | None:
    """The id ``value`` stands for, or None when it is not one.

    A canonical decimal string is the id itself; a JSON integer 0 or more is
    taken as its decimal string (clients written before the rule sent those).
    Any other spelling ("+1", " 1", "0001", Arabic-Indic digits) would make
    one table answer to many names, so it is no id.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if value >= 0 else None
    if isinstance(value, str) and CANONICAL_ID.fullmatch(value):
        return value
    return None


def now_timestamp() -> str:
    return format_timestamp(dt.datetime.now(dt.UTC))


def control_frame(
    type: str, data: dict[str, Any], target: str | None = None, id: str | None = None
) -> dict[str, Any]:
    """A control frame (SUBSCRIBED, PING, PONG, ACK, ERROR): no seq, epoch or event_id."""
    return {"type": type, "target": target, "id": id, "data": data, "timestamp": now_timestamp()}


def error_frame(
    code: str,
    message: str,
    ref: str | None = None,
    details: dict[str, Any] | None = None,
    target: str | None = None,
    id: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {"code": code, "message": message}
    if ref is not None:
        data["ref"] = ref
    if details:
        data["details"] = details
    return control_frame("ERROR", data, target, id)


@dataclass(frozen=True)
class Command:
    """A client frame that passed the envelope checks."""

    type: str
    target: str | None
    id: str | None
    data: dict[str, Any] = field(default_factory=dict)
    ref: str | None = None


def read_ref(content: Any) -> str | None:
    """The frame's ``ref`` if it is a usable one, so even a bad frame's error can carry it."""
    if isinstance(content, dict):
        ref = content.get("ref")
        if isinstance(ref, str) and len(ref) <= MAX_REF_LENGTH:
            return ref
    return None


def parse_command(content: Any) -> Command:
    """Check a decoded client frame; raises BadFrame or Validation."""
    if not isinstance(content, dict):
        raise BadFrame("A frame must be a JSON object.")
    type_ = content.get("type")
    if not isinstance(type_, str) or not type_:
        raise BadFrame("A frame needs a string 'type'.")
    problems: dict[str, list[str]] = {}
    ref = content.get("ref")
    if ref is not None and (not isinstance(ref, str) or len(ref) > MAX_REF_LENGTH):
        problems["ref"] = [f"A string of at most {MAX_REF_LENGTH} characters."]
        ref = None
    target = content.get("target")
    if target is not None and not isinstance(target, str):
        problems["target"] = ["A string."]
        target = None
    id_ = content.get("id")
    if id_ is not None:
        id_ = _id_of(id_, target.upper() if target else None)
        if id_ is None:
            problems["id"] = ['A canonical id: ASCII digits, no sign, no leading zero, no space ("17").']
    data = content.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems["data"] = ["A JSON object."]
    if problems:
        raise Validation("The frame's envelope is malformed.", details=problems)
    return Command(
        type=type_,
        target=target.upper() if target else None,
        id=id_,
        data=data,
        ref=ref,
    )


def _id_of(value: Any, target: str | None) -> str | None:
    """The id a command names, as a string; None when it is no id.

    The protocol's streams answer to one spelling of each id, so a table
    never answers to "0001" or "+1", and a subscription to the one spelling
    is the group that receives the table's events. A stream type beyond the
    protocol's (the tests' TALLY) takes any string or integer: an id no group
    can carry is NOT_FOUND when subscribed to.
    """
    if target is not None and has_canonical_ids(target):
        return canonical_id(value)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value)
