"""Housekeeping of the RabbitMQ bridge, as thin Celery tasks."""

from __future__ import annotations

from celery import shared_task

from .commands import forget_processed_messages


@shared_task(name="bus.forget_processed_messages")
def forget_processed_messages_task() -> int:
    """Run hourly (Celery beat, or the in-process timer loop)."""
    return forget_processed_messages()
