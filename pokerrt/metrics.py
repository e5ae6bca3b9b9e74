"""Every metric the platform exports (docs/metrics.md): defined here once, named from the protocol.

Label values always come from small fixed sets (targets, event and command
types, protocol error codes, close codes, directions): never a user id, a
stream id or anything a client chose, so the number of series stays bounded.
The hot path only touches counters and histograms; the relay lag, the one
number that needs the database, is read when Prometheus scrapes
(``pokerrt.scrape``).

With ``PROMETHEUS_MULTIPROC_DIR`` set (before this module is imported),
prometheus-client keeps every value in files there, one set per process, and
a scrape sums them: Daphne nodes, Celery workers and the bus consumer each
write, and any node's ``/metrics`` answers for all of them on that host.
"""

from __future__ import annotations

import atexit
import os

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.multiprocess import mark_process_dead

# Seconds, for things a player feels: a command's answer, an event's arrival.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

CONNECTIONS = Gauge(
    "pokerrt_connections", "Open WebSocket connections.",
    # Summed over live processes; a process that exits takes its count along.
    multiprocess_mode="livesum",
)
EVENTS = Counter(
    "pokerrt_events", "Events committed to the journal, by stream target and event type.", ["target", "type"]
)
COMMANDS = Counter(
    "pokerrt_commands",
    "Client commands by type and result: ok, or the protocol error code they were answered with.",
    ["type", "result"],
)
ERRORS = Counter("pokerrt_errors", "ERROR frames sent to clients, by protocol error code.", ["code"])
COMMAND_SECONDS = Histogram(
    "pokerrt_command_seconds",
    "Time from a command's frame read to its answer queued (ACK, SUBSCRIBED, PONG or ERROR).",
    buckets=_LATENCY_BUCKETS,
)
DELIVERY_SECONDS = Histogram(
    "pokerrt_delivery_seconds",
    "Commit-to-send latency: from an event's timestamp to its frame handed to a subscriber's socket.",
    buckets=_LATENCY_BUCKETS,
)
MESSAGE_BYTES = Histogram(
    "pokerrt_message_bytes",
    "Size of WebSocket frames by direction (in: from clients, out: to clients); _sum is the bytes moved.",
    ["direction"],
    buckets=(64, 256, 1024, 4096, 16384, 65536, 262144),
)
# Every frame passes one of these: the children are looked up once, not per frame.
FRAMES_IN = MESSAGE_BYTES.labels("in")
FRAMES_OUT = MESSAGE_BYTES.labels("out")
HEARTBEAT_RTT_SECONDS = Histogram(
    "pokerrt_heartbeat_rtt_seconds",
    "Round trip of the server's PING to the client's PONG carrying the same t.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
SUBSCRIPTIONS = Counter(
    "pokerrt_subscriptions",
    "SUBSCRIBED frames sent, by result: snapshot, recovered (replay after since), "
    "resync (a fresh snapshot the server sent on its own).",
    ["result"],
)
REPLAYED_EVENTS = Counter("pokerrt_replayed_events", "Events resent from the journal to recovering subscribers.")
TAIL_EVENTS = Counter(
    "pokerrt_tail_events",
    "Events the journal tail gave sockets whose broadcast never came (the channel layer was away), "
    "by stream target; one per event and socket.",
    ["target"],
)
SYNC_FRAMES = Counter(
    "pokerrt_sync_frames", "SYNC frames (a stream's state digest) sent to clients, by stream target.", ["target"]
)
DIGEST_MISMATCHES = Counter(
    "pokerrt_digest_mismatches",
    "Resubscriptions of clients whose state hashed differently from the server's digest, by stream target.",
    ["target"],
)
CLOSES = Counter(
    "pokerrt_closes",
    "Connections the server closed, by close code (4503 slow consumer, 4408 heartbeat timeout, "
    "4429 rate abuse, 4401 revoked credential, 1009 frame too big).",
    ["code"],
)
HANDS_PLAYED = Counter("pokerrt_hands_played", "Hands that reached HAND_END (committed).")
TIMER_LATENESS_SECONDS = Histogram(
    "pokerrt_timer_lateness_seconds",
    "How long after its due time a deadline fired (action clocks, level ups, next hands).",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)

RETRIES = Counter(
    "pokerrt_retries",
    "Transient faults by kind (deadlock, serialization, database_locked, database, channel_layer, broker) "
    "and outcome: retried (another try follows), recovered (a call that succeeded after retries), "
    "gave_up (the retry budget was spent and the fault reached the caller).",
    ["kind", "outcome"],
)
ERROR_ANSWERS = Counter(
    "pokerrt_error_answers",
    "Errors answered to clients by door (socket, api, bus), protocol error code and whose fault "
    "it was (client: a refusal; server: INTERNAL).",
    ["door", "code", "fault"],
)
DISCREPANCIES = Counter(
    "pokerrt_discrepancies",
    "The reconciler's findings by stream target, rule and outcome: mended (its mend made the rule "
    "hold again) or reported (kept as a Discrepancy for staff; counted again by every pass that finds it).",
    ["target", "rule", "outcome"],
)

# The slow-consumer close code (PROTOCOL.md section 4), named for the alert rules.
SLOW_CONSUMER = "4503"


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def _forget_this_process() -> None:
    # The pid at exit, not at import: forked children (Celery's prefork pool)
    # inherit this hook and must drop their own files, not their parent's.
    mark_process_dead(os.getpid())


if multiprocess():
    # A live-summed gauge keeps a dead process's value until its file goes.
    atexit.register(_forget_this_process)
