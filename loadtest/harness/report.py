"""A run's report: the printed table, the JSON file and the PNG of latency over time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def rows(result: dict[str, Any]) -> list[tuple[str, Any]]:
    """The printed lines, in order: (label, value)."""
    c, s, idle = result["connections"], result["server"], result["idle"]
    lat = result["latency_ms"]

    def na(value: Any, unit: str = "") -> str:
        return "n/a" if value is None else f"{value}{unit}"

    out: list[tuple[str, Any]] = [
        ("nodes", ", ".join(n["url"] for n in result["nodes"])),
        ("load", result["load"]),
        ("measured window (s)", result["window_seconds"]),
        ("connections requested / opened", f"{c['requested']} / {c['opened']}"),
        ("connections open at the end", c["open_at_end"]),
        ("connections dropped (by close code)", f"{c['dropped']} {c['closes_by_code'] or ''}".strip()),
        ("connections that failed to open (handshakes failed, retries included)",
         f"{c['failed_to_open']} ({c['handshake_failures']})"),
        ("clients whose reading broke (harness bugs)", c["client_failures"]),
        ("deliveries (event frames received)", result["deliveries"]),
        ("deliveries per second", result["deliveries_per_second"]),
        ("actions sent / timed", f"{result['actions']['sent']} / {result['actions']['timed']}"),
        ("actions per second (timed)", result["actions"]["per_second"]),
        ("action->every player p50 / p95 / p99 (ms)",
         f"{na(lat['p50'])} / {na(lat['p95'])} / {na(lat['p99'])} ({lat['samples']} samples)"),
        ("errors by code", dict(result["errors"]) or 0),
        ("seq gaps (must be 0)", result["seq_gaps"]),
        ("hole-card leaks (must be 0)", result["hole_card_leaks"]),
        ("server CPU (% of one core)", na(s["cpu_percent_of_core"])),
        ("server RSS at the end (MiB)", na(s["rss_mib"])),
        ("harness process CPU (% of one core)", result["harness_cpu_percent"]),
    ]
    if idle["connections"]:
        out += [
            ("idle connections", idle["connections"]),
            ("server RSS before / after opening them (MiB)", f"{na(idle['rss_before_mib'])} / {na(idle['rss_after_mib'])}"),
            ("memory per idle connection (KiB)", na(idle["kib_per_connection"])),
        ]
    if result.get("tournament"):
        t = result["tournament"]
        out.append(("tournament", f"{t['id']}: {t['seated']} seated, {t['out']} out, "
                                  f"{t['moves_followed']} moves to another table followed"))
    return out


def print_report(result: dict[str, Any]) -> None:
    lines = rows(result)
    width = max(len(label) for label, _ in lines)
    print()
    for label, value in lines:
        print(f"{label:<{width}}  {value}")
    for kind in ("gap_examples", "leak_examples"):
        if result[kind]:
            print(f"{kind.replace('_', ' ')}:", *result[kind][:5], sep="\n  ")


def write_json(result: dict[str, Any], path: str) -> None:
    Path(path).write_text(json.dumps(result, indent=2, default=str) + "\n")


def check_plotting() -> None:
    """Fail before the run, not after it, when the plot cannot be drawn."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise SystemExit("--plot needs matplotlib (requirements-dev.txt: make venv-dev)") from None


def plot(samples: list[tuple[float, float]], path: str, title: str) -> None:
    """Every latency sample over the window, with each second's p50 and p99."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .stats import percentile

    fig, ax = plt.subplots(figsize=(10, 5), dpi=100)
    if samples:
        xs = [t for t, _ in samples]
        ys = [max(latency * 1000, 0.01) for _, latency in samples]
        ax.scatter(xs, ys, s=2, alpha=0.25, color="tab:blue", label="one receiver of one action")
        seconds: dict[int, list[float]] = {}
        for t, y in zip(xs, ys, strict=True):
            seconds.setdefault(int(t), []).append(y)
        buckets = sorted(seconds)
        for p, color in ((0.50, "tab:green"), (0.99, "tab:red")):
            ax.plot([b + 0.5 for b in buckets], [percentile(sorted(seconds[b]), p) for b in buckets],
                    color=color, linewidth=1.5, label=f"p{int(p * 100)} per second")
        ax.set_yscale("log")
        ax.legend(loc="upper right")
    else:
        ax.text(0.5, 0.5, "no action measured", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("seconds into the measured window")
    ax.set_ylabel("action -> every player (ms)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
