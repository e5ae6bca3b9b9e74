"""What must hold of each target's streams, and how a drift the rules find is mended.

Each app registers its target's rule from its ``AppConfig.ready()``, as it
registers the target's snapshot (``registry``): a rule reads one stream's
stores and returns the :class:`Problem` records of what does not hold. The
consistency tests run the rules after every event; the reconciler
(``pokerrt.realtime.reconcile``) runs them over every active stream and hands
each problem that names a mend to the mend registered under that name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One rule that does not hold of one stream."""

    target: str
    stream_id: str
    # The rule's name, e.g. "deadline_armed": stable, for logs and the admin.
    rule: str
    message: str
    # The registered mend that fixes it (``register_mend``); None: staff must look.
    mend: str | None = None
    # What in the stream it is about, when the mend needs to know (a lobby
    # row: "tables:17"); empty when the stream is the subject.
    subject: str = ""

    def __str__(self) -> str:
        return f"{self.target}.{self.stream_id} {self.rule}: {self.message}"


# stream id -> what does not hold of that stream
Rule = Callable[[str], list[Problem]]
# () -> ids of the streams worth checking now (open tables, running tournaments, ...)
ActiveStreams = Callable[[], Iterable[str]]
# the problem -> None; runs in its own action (journaled, emits what it owes)
Mend = Callable[[Problem], None]


# target -> its rules, in the order they were registered
_rules: dict[str, list[Rule]] = {}
# target -> which of its streams the reconciler checks
_active: dict[str, ActiveStreams] = {}
_mends: dict[str, Mend] = {}


def register_validator(target: str, rule: Rule, *, active: ActiveStreams | None = None) -> None:
    """Add a rule of a target's streams; ``active`` (the owner's) says which streams to check.

    Several apps may hold rules of one target: the tables check the seats a
    PLAYER stream lists, the core says which PLAYER streams are active.
    """
    target = target.upper()
    rules = _rules.setdefault(target, [])
    if rule not in rules:
        rules.append(rule)
    if active is not None:
        _active[target] = active


def register_active(target: str, active: ActiveStreams) -> None:
    _active[target.upper()] = active


def register_mend(name: str, mend: Mend) -> None:
    _mends[name] = mend


def mend_for(name: str | None) -> Mend | None:
    return _mends.get(name) if name else None


def validated_targets() -> list[str]:
    return sorted(target for target in _rules if target in _active)


def validate(target: str, stream_id: str | int) -> list[Problem]:
    """What does not hold of one stream; none for a target without rules."""
    return [problem for rule in _rules.get(target.upper(), []) for problem in rule(str(stream_id))]


def active_streams(target: str) -> list[str]:
    active = _active.get(target.upper())
    return [str(stream_id) for stream_id in active()] if active else []
