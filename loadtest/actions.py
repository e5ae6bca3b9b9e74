"""The benchmark's one state change: an event on a BENCH stream (loadtest/bench_asgi.py)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from pokerrt.realtime.streams import emit


def do_bench_emit(stream_id: str, data: dict[str, Any]) -> None:
    with transaction.atomic():
        emit("BENCH", stream_id, "BENCH_EVENT", data)
