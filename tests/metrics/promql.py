"""A tiny PromQL evaluator for the shapes deploy/prometheus/alerts.yml uses, in the spirit of ``promtool test rules``.

Series are given as two scrapes ``window`` seconds apart (what ``rate`` sees
over a window with no counter resets); gauges are read from the later one.
Anything outside the known shapes raises ``Unsupported``, so a rule written
in a new shape fails its test instead of passing unchecked.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# One sample: (metric name, sorted label pairs) -> value.
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]

SELECTOR = r"(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<matchers>[^}]*)\})?"
WINDOW = r"\[(?P<window>\d+)(?P<unit>[smh])\]"
TERMS = {
    "rate": re.compile(rf"^sum\(rate\({SELECTOR}{WINDOW}\)\)$"),
    "sum": re.compile(rf"^sum\({SELECTOR}\)$"),
    "max": re.compile(rf"^max\({SELECTOR}\)$"),
    "quantile": re.compile(
        rf"^histogram_quantile\((?P<q>[0-9.]+), sum by \(le\) \(rate\({SELECTOR}{WINDOW}\)\)\)$"
    ),
}
COMPARISON = re.compile(r"^(?P<left>.+?)(?: / (?P<right>.+?))? > (?P<threshold>[0-9.]+)$")
MATCHER = re.compile(r'^\s*(?P<label>[a-zA-Z_]+)\s*(?P<op>!=|=)\s*"(?P<value>[^"]*)"\s*$')
UNITS = {"s": 1, "m": 60, "h": 3600}


class Unsupported(ValueError):
    """An expression outside the shapes this evaluator knows."""


@dataclass(frozen=True)
class Term:
    kind: str
    name: str
    matchers: tuple[tuple[str, str, str], ...]
    window: float
    q: float


def parse_term(text: str) -> Term:
    for kind, pattern in TERMS.items():
        found = pattern.match(text.strip())
        if found is None:
            continue
        matchers = []
        for part in filter(None, (found["matchers"] or "").split(",")):
            matcher = MATCHER.match(part)
            if matcher is None:
                raise Unsupported(f"label matcher {part!r}")
            matchers.append((matcher["label"], matcher["op"], matcher["value"]))
        groups = found.groupdict()
        window = int(groups["window"]) * UNITS[groups["unit"]] if groups.get("window") else 0.0
        return Term(kind, found["name"], tuple(matchers), float(window), float(groups.get("q") or 0))
    raise Unsupported(f"term {text!r}")


@dataclass(frozen=True)
class Rule:
    left: Term
    right: Term | None
    threshold: float

    def metric_names(self) -> set[str]:
        return {term.name for term in (self.left, self.right) if term is not None}


def parse(expr: str) -> Rule:
    found = COMPARISON.match(" ".join(expr.split()))
    if found is None:
        raise Unsupported(f"expression {expr!r}")
    right = parse_term(found["right"]) if found["right"] else None
    return Rule(parse_term(found["left"]), right, float(found["threshold"]))


def _selected(samples: Samples, term: Term) -> dict[tuple[tuple[str, str], ...], float]:
    chosen = {}
    for (name, labels), value in samples.items():
        if name != term.name:
            continue
        have = dict(labels)
        if all((have.get(label, "") == value_) == (op == "=") for label, op, value_ in term.matchers):
            chosen[labels] = value
    return chosen


def _rates(before: Samples, after: Samples, term: Term) -> dict[tuple[tuple[str, str], ...], float]:
    earlier = _selected(before, term)
    return {labels: (value - earlier.get(labels, 0.0)) / term.window
            for labels, value in _selected(after, term).items()}


def histogram_quantile(q: float, buckets: dict[float, float]) -> float:
    """Prometheus' estimate: linear within the bucket the rank falls in; NaN with no observations."""
    bounds = sorted(buckets)
    total = buckets[bounds[-1]] if bounds else 0.0
    if total <= 0:
        return math.nan
    rank = q * total
    lower, below = 0.0, 0.0
    for bound in bounds:
        count = buckets[bound]
        if count >= rank:
            if math.isinf(bound):
                return lower
            return lower + (bound - lower) * (rank - below) / (count - below) if count > below else bound
        lower, below = bound, count
    return lower


def value_of(term: Term, before: Samples, after: Samples) -> float:
    if term.kind == "rate":
        return sum(_rates(before, after, term).values())
    if term.kind == "sum":
        return sum(_selected(after, term).values())
    if term.kind == "max":
        values = _selected(after, term).values()
        return max(values) if values else math.nan
    per_le: dict[float, float] = {}
    for labels, rate in _rates(before, after, term).items():
        le = float(dict(labels)["le"])
        per_le[le] = per_le.get(le, 0.0) + rate
    return histogram_quantile(term.q, per_le)


def fires(rule: Rule, before: Samples, after: Samples) -> bool:
    """Whether the rule's condition holds on these scrapes (NaN, as in Prometheus, never fires)."""
    value = value_of(rule.left, before, after)
    if rule.right is not None:
        denominator = value_of(rule.right, before, after)
        value = value / denominator if denominator else math.nan
    return not math.isnan(value) and value > rule.threshold
