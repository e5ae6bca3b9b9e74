"""The demo world of `make run`, above every app: it imports them, none imports it."""
