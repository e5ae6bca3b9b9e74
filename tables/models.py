"""Tables: data and queries only; every change goes through tables/actions.py."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class TableKind(models.TextChoices):
    CASH = "cash", "Cash game"
    TOURNAMENT = "tournament", "Tournament table"


class TableStatus(models.TextChoices):
    OPEN = "open", "Open"  # seats can be taken; hands run when two or more can play
    PAUSED = "paused", "Paused"  # no new hand starts (tournament break, staff)
    CLOSED = "closed", "Closed"  # no longer in play (deleted, broken up)


class Table(models.Model):
    lobby = models.ForeignKey("lobby.Lobby", on_delete=models.PROTECT, related_name="tables")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=TableKind.choices, default=TableKind.CASH)
    max_seats = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(2), MaxValueValidator(10)]
    )
    small_blind = models.PositiveIntegerField(default=5)
    big_blind = models.PositiveIntegerField(default=10)
    ante = models.PositiveIntegerField(default=0)
    # Buy-in range of a cash table, in chips.
    min_buy_in = models.PositiveIntegerField(default=400)
    max_buy_in = models.PositiveIntegerField(default=2000)
    # Seconds a player has to act before the time bank starts running.
    action_seconds = models.PositiveSmallIntegerField(default=20)
    # Seconds of time bank each seat starts with.
    time_bank_seconds = models.PositiveSmallIntegerField(default=30)
    status = models.CharField(max_length=8, choices=TableStatus.choices, default=TableStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_seats__gte=2, max_seats__lte=10), name="table_2_to_10_seats"
            ),
            models.CheckConstraint(
                condition=models.Q(big_blind__gte=models.F("small_blind")),
                name="table_big_blind_not_below_small",
            ),
        ]

    def __str__(self) -> str:
        return self.name
