"""A frame's JSON text, both ways: what the consumer sends and what it takes from clients."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from pokerrt import errors


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, cls=DjangoJSONEncoder)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode(text: str) -> Any:
    """A client frame's JSON value; BadFrame for anything that is not JSON (RFC 8259).

    Deep nesting makes the parser raise RecursionError, not ValueError; NaN
    and Infinity are Python's extensions, and echoing one back (PONG's ``t``)
    would send the client a frame that is not JSON either.
    """
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise errors.BadFrame("A frame must be JSON.") from None
