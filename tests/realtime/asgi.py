"""The project's ASGI application plus the test-only TALLY stream, for live servers."""

from pokerrt.asgi import application  # noqa: F401

from .streams import register

register()
