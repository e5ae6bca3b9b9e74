"""The project's ASGI application plus a BENCH stream and command, for realtime_bench.py.

The BENCH_EMIT command runs the whole write path of a real command: the
processor, a transaction, ``emit`` (journal row, seq under lock), broadcast on
commit, then per subscriber the seq filter, the bounded queue and the writer.
"""

from pokerrt.asgi import application  # noqa: F401
from pokerrt.realtime.processor import register_command
from pokerrt.realtime.registry import register_stream

from .actions import do_bench_emit

register_stream("BENCH", can_subscribe=lambda stream_id, user: True, snapshot=lambda stream_id, user: {})
register_command(
    "BENCH_EMIT",
    "BENCH",
    serializer=None,
    permission=None,
    handler=lambda user, stream_id, data: do_bench_emit(stream_id, data),
    needs_auth=False,
)
