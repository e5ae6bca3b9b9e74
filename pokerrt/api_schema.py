"""What the OpenAPI document says of every operation beside its own responses: the one error format.

Every endpoint may answer an error in ``{"code", "message", "details"}``
(pokerrt/api_errors.py, docs/api-errors.md); a drf-spectacular
postprocessing hook adds those responses to each operation, so client
generators and schema checks know the shape without each view repeating it.
"""

from __future__ import annotations

from typing import Any

from . import errors

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error the API answers (docs/api-errors.md).",
    "properties": {
        "code": {"type": "string", "enum": list(errors.CODES),
                 "description": "The protocol's error code (PROTOCOL.md section 5): branch on it."},
        "message": {"type": "string", "description": "For people; never holds internals."},
        "details": {
            "type": "object", "nullable": True,
            # A list of messages, or for a list or object field, its items' errors by index or name.
            "additionalProperties": {},
            "description": "For VALIDATION and some CONFLICTs: each field concerned by name, with its messages.",
        },
    },
    "required": ["code", "message", "details"],
}

# Status -> when; what every operation may answer besides its own responses.
ERROR_STATUSES = {
    "400": "BAD_FRAME (the body does not parse) or VALIDATION (details name the fields).",
    "401": "UNAUTHENTICATED: no credentials, or a wrong token.",
    "403": "FORBIDDEN: the user may not do this.",
    "404": "NOT_FOUND: no such lobby, table, tournament, hand or structure.",
    "409": "CONFLICT, NOT_YOUR_TURN, ILLEGAL_ACTION or INSUFFICIENT_FUNDS: the state does not allow it now.",
    "429": "RATE_LIMITED: Retry-After gives the seconds to wait.",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``: the Error component and its responses everywhere."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, when in ERROR_STATUSES.items():
                responses.setdefault(status, {"description": when, "content": reference})
    return result
