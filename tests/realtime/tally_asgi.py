"""The project's ASGI application plus the test-only TALLY stream, for live servers."""

from pokerrt.asgi import application  # noqa: F401

from .tally_streams import register

register()
