"""Request body parsers of the REST API."""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, for which a document nested too deeply is bad input.

    ``json`` gives up on deep nesting (``[[[[...]]]]`` a thousand levels down)
    with a RecursionError, not a ValueError, so DRF lets it through as a 500.
    A client sent it, so it is the client's error: a 400 like any other
    unparseable body.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
