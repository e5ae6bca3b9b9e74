"""Publish the event journal to RabbitMQ until stopped (docs/bridge.md)."""

from __future__ import annotations

import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pokerrt.bus.relay import Relay


class Command(BaseCommand):
    help = "Relay journal events to the RabbitMQ exchange EVENT_BUS_EXCHANGE, in seq order per stream."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--url", default=None, help="AMQP URL (default EVENT_BUS_URL)")
        parser.add_argument("--exchange", default=None, help="topic exchange (default EVENT_BUS_EXCHANGE)")
        parser.add_argument("--name", default=None,
                            help="this relay's lease name; restarted under the same name it resumes at once")
        parser.add_argument("--batch", type=int, default=None, help="events per confirmed batch")
        parser.add_argument("--lease-seconds", type=float, default=None, help="stream lease length")

    def handle(self, *args, url=None, exchange=None, name=None, batch=None, lease_seconds=None,
               **options):  # type: ignore[no-untyped-def]
        url = url or settings.EVENT_BUS_URL
        if not url:
            raise CommandError("EVENT_BUS_URL is not set: there is no RabbitMQ to relay to.")
        relay = Relay(url, exchange, holder=name, batch_size=batch, lease_seconds=lease_seconds)
        # SIGTERM (make run's exit, an orchestrator) finishes the batch in hand
        # and gives the leases back, so another relay takes over at once.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: relay.stopping.set())
        if options["verbosity"]:
            self.stdout.write(f"relaying to {relay.exchange} as {relay.holder}")
        relay.run()
        if options["verbosity"]:
            self.stdout.write(f"relay stopped after {relay.published} events")
