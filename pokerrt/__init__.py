"""pokerrt: a real-time poker platform on Django Channels."""

from .celery import app as celery_app

__all__ = ["celery_app"]
