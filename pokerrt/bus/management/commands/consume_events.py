"""Take commands from RabbitMQ and run them through the processor, until stopped (docs/bridge.md)."""

from __future__ import annotations

import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pokerrt.bus.consumer import CommandConsumer


class Command(BaseCommand):
    help = "Consume command messages from EVENT_BUS_COMMANDS_QUEUE, each run exactly once."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--url", default=None, help="AMQP URL (default EVENT_BUS_URL)")
        parser.add_argument("--exchange", default=None, help="commands exchange (default EVENT_BUS_COMMANDS_EXCHANGE)")
        parser.add_argument("--queue", default=None, help="durable queue (default EVENT_BUS_COMMANDS_QUEUE)")
        parser.add_argument("--dead-letter", default=None,
                            help="where refused commands go (default EVENT_BUS_DEAD_LETTER_EXCHANGE)")
        parser.add_argument("--prefetch", type=int, default=None, help="unacked messages held (EVENT_BUS_PREFETCH)")

    def handle(self, *args, url=None, exchange=None, queue=None, dead_letter=None, prefetch=None,
               **options):  # type: ignore[no-untyped-def]
        url = url or settings.EVENT_BUS_URL
        if not url:
            raise CommandError("EVENT_BUS_URL is not set: there is no RabbitMQ to consume from.")
        consumer = CommandConsumer(url, exchange=exchange, queue=queue, dead_letter=dead_letter, prefetch=prefetch)
        # Stops between messages: the one in hand is finished and acked first.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: consumer.stopping.set())
        if options["verbosity"]:
            self.stdout.write(f"consuming {consumer.queue} (bound to {consumer.exchange})")
        consumer.run()
        if options["verbosity"]:
            self.stdout.write(f"consumer stopped after {consumer.handled} messages")
