"""Tournaments: data and queries only; every change goes through tournament/actions.py."""

from django.db import models


class TournamentKind(models.TextChoices):
    SIT_AND_GO = "sng", "Sit and go"  # starts when full
    SCHEDULED = "mtt", "Scheduled multi-table"  # starts at a set time


class TournamentStatus(models.TextChoices):
    REGISTERING = "registering", "Registering"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    CANCELLED = "cancelled", "Cancelled"


def default_structure() -> list[dict[str, int]]:
    """A turbo structure: (small blind, big blind, ante, minutes) per level."""
    levels = [(10, 20, 0), (15, 30, 0), (25, 50, 5), (50, 100, 10), (75, 150, 15),
              (100, 200, 25), (150, 300, 40), (200, 400, 50), (300, 600, 75), (500, 1000, 100)]
    return [
        {"level": n, "small_blind": sb, "big_blind": bb, "ante": ante, "minutes": 5}
        for n, (sb, bb, ante) in enumerate(levels, start=1)
    ]


class Tournament(models.Model):
    lobby = models.ForeignKey("lobby.Lobby", on_delete=models.PROTECT, related_name="tournaments")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=3, choices=TournamentKind.choices, default=TournamentKind.SIT_AND_GO)
    buy_in = models.PositiveIntegerField(default=100)
    starting_stack = models.PositiveIntegerField(default=1500)
    min_players = models.PositiveSmallIntegerField(default=2)
    max_players = models.PositiveSmallIntegerField(default=9)
    table_size = models.PositiveSmallIntegerField(default=9)
    starts_at = models.DateTimeField(null=True, blank=True)
    structure = models.JSONField(default=default_structure)
    # Share of the prize pool per finishing position, in percent.
    payout_percentages = models.JSONField(default=list)
    status = models.CharField(
        max_length=12, choices=TournamentStatus.choices, default=TournamentStatus.REGISTERING
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
