"""``manage.py simulate_tournament --players N [--structure turbo] [--seed S]``: a whole tournament of bots.

Bots register, are seated, play every hand through the table actions and are
eliminated until one is left (tournament/simulation.py), on simulated time.
Prints hands played, moves, the time per balancing decision and the wall
time. It writes to the configured database: run it on a scratch one.
"""

from __future__ import annotations

import statistics
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tournament import simulation


class Command(BaseCommand):
    help = "Play a whole tournament of bots through the actions and report hands, moves and timings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--players", type=int, required=True)
        parser.add_argument("--structure", default="turbo", help="a blind structure by name (turbo, regular)")
        parser.add_argument("--level-minutes", type=int, default=1,
                            help="minutes per level (and break), simulated; 0 plays the structure as set")
        parser.add_argument("--table-size", type=int, default=9)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        players = options["players"]
        if players < 2:
            self.stderr.write("A tournament needs at least 2 players.")
            return
        self.stdout.write(f"Registering {players} bots...")
        tournament = simulation.make_field(
            players, structure=options["structure"], level_minutes=options["level_minutes"] or None,
            table_size=options["table_size"], name=f"Simulation of {players}")
        bar, progress = _progress_bar(players)
        try:
            report = simulation.run(tournament, seed=options["seed"], progress=progress)
        finally:
            if bar is not None:
                bar.close()
        decisions = report.decision_seconds or [0.0]
        self.stdout.write(f"tournament {report.tournament_id}: {players} players, structure {options['structure']}")
        self.stdout.write(f"hands played: {report.hands} ({report.actions} actions)")
        self.stdout.write(f"moves: {report.moves} over {len(report.decision_seconds)} balancing decisions")
        self.stdout.write(
            "time per balancing decision: "
            f"median {statistics.median(decisions) * 1e3:.3f} ms, mean {statistics.fmean(decisions) * 1e3:.3f} ms, "
            f"max {max(decisions) * 1e3:.3f} ms")
        self.stdout.write(f"wall time: {report.wall_seconds:.1f} s")
        problems = report.problems + report.chip_problems
        if problems:
            self.stderr.write("problems:\n" + "\n".join(problems[:20]))


def _progress_bar(total: int) -> tuple[Any, Any]:
    """A tqdm bar of players eliminated (tqdm is a dev dependency: no bar without it)."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None, None
    bar = tqdm(total=total - 1, unit="out", desc="eliminated")

    def progress(out: int) -> None:
        bar.update(out - bar.n)

    return bar, progress
