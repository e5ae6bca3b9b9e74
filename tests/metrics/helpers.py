"""Reading this process's metrics in tests: values and how much a block of work moved them."""

from __future__ import annotations

from prometheus_client import REGISTRY


def value(name: str, **labels: str) -> float:
    """A sample's current value in this process (0 when the series does not exist yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Moved:
    """Sample values before, so a test can assert the exact change after."""

    def __init__(self, *series: tuple[str, dict[str, str]]):
        self.before = {(name, tuple(sorted(labels.items()))): value(name, **labels) for name, labels in series}

    def __call__(self, name: str, **labels: str) -> float:
        return value(name, **labels) - self.before[(name, tuple(sorted(labels.items())))]
