"""deploy/prometheus/alerts.yml, checked the way ``promtool test rules`` would: complete, on real metrics, firing right."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from pokerrt import metrics
from pokerrt.scrape import OpenDiscrepancies, RelayLag, Scrape

from . import promql

ALERTS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yml"


def rules() -> dict[str, dict[str, Any]]:
    document = yaml.safe_load(ALERTS.read_text())
    found: dict[str, dict[str, Any]] = {}
    for group in document["groups"]:
        for rule in group["rules"]:
            assert rule["alert"] not in found, f"{rule['alert']} twice"
            found[rule["alert"]] = rule
    return found


def exported_names() -> set[str]:
    """Every sample name /metrics can carry, labelled series not yet seen included."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    names = set()
    scrape = Scrape()
    for source in scrape.sources:
        read_at_scrape = isinstance(source, (RelayLag, OpenDiscrepancies))
        families = source.describe() if read_at_scrape else source.collect()
        for family in families:
            names.update(family.name + suffix for suffix in suffixes.get(family.type, ("",)))
    return names


class Synthetic:
    """Replicas of the app's metrics in a registry of their own: observe, then scrape twice."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()

    def like(self, metric: Any) -> Any:
        common = {"labelnames": metric._labelnames, "registry": self.registry}
        if isinstance(metric, Histogram):
            return Histogram(metric._name, metric._documentation, buckets=metric._upper_bounds, **common)
        if isinstance(metric, Counter):
            return Counter(metric._name, metric._documentation, **common)
        return Gauge(metric._name, metric._documentation, **common)

    def scrape(self) -> promql.Samples:
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in self.registry.collect()
            for sample in family.samples
            if not sample.name.endswith("_created")
        }


def test_every_rule_is_complete_and_in_a_shape_the_evaluator_checks():
    found = rules()
    assert {"PokerrtInternalErrors", "PokerrtCommandErrorRate", "PokerrtDeliverySlow", "PokerrtRelayLag",
            "PokerrtHeartbeatSlow", "PokerrtSlowConsumerCloses", "PokerrtConnectionDrops",
            "PokerrtTimersLate", "PokerrtRetriesGivingUp", "PokerrtRetriesFrequent",
            "PokerrtUnmendedDrift"} <= set(found)
    for name, rule in found.items():
        promql.parse(rule["expr"])
        assert rule["for"].rstrip("m").isdigit(), name
        assert rule["labels"]["severity"] in ("warning", "critical"), name
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], name


@pytest.mark.django_db
def test_every_rule_reads_only_metrics_the_app_exports(settings):
    settings.EVENT_BUS_URL = "amqp://guest:guest@127.0.0.1:5672/"
    exported = exported_names()
    assert {"pokerrt_relay_lag_seconds", "pokerrt_errors_total", "pokerrt_discrepancies_open",
            "pokerrt_error_answers_total", "pokerrt_retries_total", "pokerrt_discrepancies_total"} <= exported
    for name, rule in rules().items():
        missing = promql.parse(rule["expr"]).metric_names() - exported
        assert not missing, f"{name} reads {missing}, which the app does not export"


def test_the_evaluator_refuses_shapes_it_does_not_know():
    for expr in ("rate(pokerrt_errors_total[5m]) > 1", "avg(pokerrt_connections) > 1",
                 "sum(rate(pokerrt_errors_total{code=~\"I.*\"}[5m])) > 1", "max(pokerrt_connections) < 1"):
        with pytest.raises(promql.Unsupported):
            promql.parse(expr)


def test_histogram_quantile_interpolates_like_prometheus():
    buckets = {0.1: 50.0, 0.5: 90.0, 1.0: 100.0, float("inf"): 100.0}
    assert promql.histogram_quantile(0.5, buckets) == pytest.approx(0.1)
    assert promql.histogram_quantile(0.7, buckets) == pytest.approx(0.3)
    assert promql.histogram_quantile(0.99, {1.0: 0.0, float("inf"): 10.0}) == 1.0


def evaluate(alert: str, feed) -> bool:
    """Whether ``alert`` fires when what ``feed`` observes happened within the rule's window."""
    synthetic = Synthetic()
    feed(synthetic)
    return promql.fires(promql.parse(rules()[alert]["expr"]), {}, synthetic.scrape())


def deliveries(slow_share: float, slow_seconds: float):
    def feed(synthetic: Synthetic) -> None:
        histogram = synthetic.like(metrics.DELIVERY_SECONDS)
        slow = int(1000 * slow_share)
        for _ in range(1000 - slow):
            histogram.observe(0.02)
        for _ in range(slow):
            histogram.observe(slow_seconds)
    return feed


def test_delivery_p99_fires_when_more_than_one_event_in_a_hundred_is_slow():
    assert evaluate("PokerrtDeliverySlow", deliveries(0.03, 2.0))
    assert not evaluate("PokerrtDeliverySlow", deliveries(0.005, 2.0))
    assert not evaluate("PokerrtDeliverySlow", deliveries(0.0, 0.0))
    # No deliveries at all: NaN, silent (as Prometheus).
    assert not evaluate("PokerrtDeliverySlow", lambda synthetic: synthetic.like(metrics.DELIVERY_SECONDS))


def test_heartbeat_and_timer_quantiles_fire_on_their_tails():
    def observe(metric, fast: float, slow: float, slow_count: int):
        def feed(synthetic: Synthetic) -> None:
            histogram = synthetic.like(metric)
            for index in range(200):
                histogram.observe(slow if index < slow_count else fast)
        return feed

    assert evaluate("PokerrtHeartbeatSlow", observe(metrics.HEARTBEAT_RTT_SECONDS, 0.05, 5.0, 10))
    assert not evaluate("PokerrtHeartbeatSlow", observe(metrics.HEARTBEAT_RTT_SECONDS, 0.05, 5.0, 0))
    assert evaluate("PokerrtTimersLate", observe(metrics.TIMER_LATENESS_SECONDS, 0.02, 8.0, 10))
    assert not evaluate("PokerrtTimersLate", observe(metrics.TIMER_LATENESS_SECONDS, 0.02, 1.0, 10))


def test_the_relay_lag_alert_is_on_the_oldest_unpublished_event():
    def lag(seconds: float):
        # Read at scrape time, not a registered metric: its family name is all there is.
        return lambda synthetic: Gauge(RelayLag.name, "lag", registry=synthetic.registry).set(seconds)

    assert evaluate("PokerrtRelayLag", lag(90))
    assert not evaluate("PokerrtRelayLag", lag(5))


def commands(ok: int, refused: int, internal: int, door: str = "socket"):
    def feed(synthetic: Synthetic) -> None:
        counted = synthetic.like(metrics.COMMANDS)
        errors = synthetic.like(metrics.ERRORS)
        answers = synthetic.like(metrics.ERROR_ANSWERS)
        counted.labels("PLAYER_ACTION", "ok").inc(ok)
        counted.labels("PLAYER_ACTION", "NOT_YOUR_TURN").inc(refused)
        counted.labels("PLAYER_ACTION", "INTERNAL").inc(internal)
        errors.labels("NOT_YOUR_TURN").inc(refused)
        errors.labels("INTERNAL").inc(internal)
        answers.labels(door, "NOT_YOUR_TURN", "client").inc(refused)
        answers.labels(door, "INTERNAL", "server").inc(internal)
    return feed


def test_error_alerts_tell_internal_errors_from_refused_commands():
    # Over the 5-minute window: 30 INTERNAL errors is 0.1/s.
    assert evaluate("PokerrtInternalErrors", commands(1000, 0, 30))
    assert not evaluate("PokerrtInternalErrors", commands(1000, 100, 3))
    # Whichever door answered them, and however many refusals.
    assert evaluate("PokerrtInternalErrors", commands(0, 0, 30, door="api"))
    assert not evaluate("PokerrtInternalErrors", commands(0, 3000, 0, door="api"))
    assert evaluate("PokerrtCommandErrorRate", commands(100, 30, 0))
    assert not evaluate("PokerrtCommandErrorRate", commands(100, 10, 0))


def closes(code: str, count: int, connections: int):
    def feed(synthetic: Synthetic) -> None:
        synthetic.like(metrics.CLOSES).labels(code).inc(count)
        synthetic.like(metrics.CONNECTIONS).set(connections)
    return feed


def test_connection_drop_alerts():
    assert evaluate("PokerrtSlowConsumerCloses", closes(metrics.SLOW_CONSUMER, 60, 1000))
    assert not evaluate("PokerrtSlowConsumerCloses", closes("4408", 60, 1000))
    # 60 closes in 5 minutes is 0.2/s: too many for 10 connections, noise for 1,000.
    assert evaluate("PokerrtConnectionDrops", closes("4408", 60, 10))
    assert not evaluate("PokerrtConnectionDrops", closes("4408", 60, 1000))


def retries(kind: str, retried: int, gave_up: int):
    def feed(synthetic: Synthetic) -> None:
        counted = synthetic.like(metrics.RETRIES)
        counted.labels(kind, "retried").inc(retried)
        counted.labels(kind, "recovered").inc(retried)
        counted.labels(kind, "gave_up").inc(gave_up)
    return feed


def test_retry_alerts_fire_on_giving_up_and_on_a_storm_of_retries():
    # 5 give-ups in 5 minutes is one a minute: a dependency in trouble.
    assert evaluate("PokerrtRetriesGivingUp", retries("deadlock", 0, 5))
    assert not evaluate("PokerrtRetriesGivingUp", retries("deadlock", 200, 1))
    assert evaluate("PokerrtRetriesFrequent", retries("deadlock", 600, 0))
    assert not evaluate("PokerrtRetriesFrequent", retries("channel_layer", 60, 0))


def test_the_drift_alert_fires_on_reported_findings_not_on_mended_ones():
    def found(outcome: str, count: int):
        return lambda synthetic: synthetic.like(metrics.DISCREPANCIES).labels("TABLE", "deadline_armed",
                                                                               outcome).inc(count)

    assert evaluate("PokerrtUnmendedDrift", found("reported", 1))
    assert not evaluate("PokerrtUnmendedDrift", found("mended", 30))
