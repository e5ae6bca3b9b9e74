"""What one scrape of ``/metrics`` reads: this process's metrics or every process's files, then the database's gauges."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from pokerrt.health import relay_lag
from pokerrt.metrics import multiprocess
from pokerrt.realtime.reconcile import open_discrepancies


class RelayLag:
    """``pokerrt_relay_lag_seconds``: the age of the oldest event the RabbitMQ relay has yet to publish.

    Read from the journal at scrape time (one indexed query, as /readyz does),
    so it is right whichever process runs the relay, and is exported only when
    a relay is configured (EVENT_BUS_URL): without one nothing is ever
    published and the age would only grow.
    """

    name = "pokerrt_relay_lag_seconds"

    def describe(self) -> Iterable[Metric]:
        return [GaugeMetricFamily(self.name, self.__doc__.splitlines()[0] if self.__doc__ else "")]

    def collect(self) -> Iterator[Metric]:
        if not settings.EVENT_BUS_URL:
            return
        family = GaugeMetricFamily(self.name, "Age of the oldest event the RabbitMQ relay has yet to publish.")
        family.add_metric([], float(relay_lag()["lag_seconds"]))  # type: ignore[arg-type]
        yield family


class OpenDiscrepancies:
    """``pokerrt_discrepancies_open``: drift the reconciler keeps finding and could not mend.

    Read from the Discrepancy rows at scrape time (one count of a small
    table), so it is right whichever process runs the passes; exported only
    while the reconciler runs (POKERRT_SYNC_INTERVAL above 0).
    """

    name = "pokerrt_discrepancies_open"

    def describe(self) -> Iterable[Metric]:
        return [GaugeMetricFamily(self.name, self.__doc__.splitlines()[0] if self.__doc__ else "")]

    def collect(self) -> Iterator[Metric]:
        if not settings.SYNC_INTERVAL:
            return
        family = GaugeMetricFamily(self.name, "Discrepancy rows a pass found within the last three intervals.")
        family.add_metric([], float(open_discrepancies()))
        yield family


class Scrape:
    """What one scrape reads: this process's metrics, or every process's files; then the relay lag."""

    def __init__(self) -> None:
        self.sources: list[Any] = [
            MultiProcessCollector(None) if multiprocess() else REGISTRY, RelayLag(), OpenDiscrepancies(),
        ]

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()
