"""Tables: data and queries only; every change goes through the tables/actions/ package."""

from django.conf import settings
from django.core.exceptions import ValidationError
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
    # Button and blinds of the last hand ({button, small_blind, big_blind},
    # seat numbers; null before the first): the dead-button rule moves them.
    positions = models.JSONField(null=True, blank=True)
    hands_dealt = models.PositiveIntegerField(default=0)
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

    def clean(self) -> None:
        """Settings that only make sense together; each problem names every field in it.

        Creating and updating both check the whole table, stored values and
        changes merged, so no single change can leave a table nobody can join.
        """
        problems: dict[str, list[str]] = {}

        def clash(low: str, high: str, message: str) -> None:
            problems.setdefault(low, []).append(message)
            problems.setdefault(high, []).append(message)

        if self.small_blind > self.big_blind:
            clash("small_blind", "big_blind",
                  f"The small blind ({self.small_blind}) is above the big blind ({self.big_blind}).")
        if self.min_buy_in > self.max_buy_in:
            clash("min_buy_in", "max_buy_in",
                  f"The minimum buy-in ({self.min_buy_in}) is above the maximum ({self.max_buy_in}).")
        if self.max_buy_in < self.big_blind:
            clash("big_blind", "max_buy_in",
                  f"The maximum buy-in ({self.max_buy_in}) does not cover the big blind ({self.big_blind}).")
        if problems:
            raise ValidationError(problems)


class SeatStatus(models.TextChoices):
    EMPTY = "empty", "Empty"
    ACTIVE = "active", "Playing"  # dealt into the next hand when it has chips
    SITTING_OUT = "sitting_out", "Sitting out"  # keeps the seat, skipped when dealing


class Seat(models.Model):
    """One chair at a table. The row stays when the player leaves (``EMPTY``)."""

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="seats")
    number = models.PositiveSmallIntegerField()  # 1..max_seats, clockwise
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="seats"
    )
    # Chips in front of the player between hands; during a hand the live hand
    # (rebuilt from its log) holds the truth and this is its starting stack.
    stack = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=12, choices=SeatStatus.choices, default=SeatStatus.EMPTY)
    # Blinds missed while sitting out, made up on return: a tables.engine.Post
    # value ("none", "dead_small_blind", "big_blind", "both").
    owes = models.CharField(max_length=16, default="none")
    time_bank_left = models.FloatField(default=0)
    # Clock expiries in a row; reset by any action the player takes.
    timeouts_in_row = models.PositiveSmallIntegerField(default=0)
    sat_out_at = models.DateTimeField(null=True, blank=True)
    # Stand up (and cash out) when the hand in progress ends.
    leaving = models.BooleanField(default=False)
    # When the player's last connection closed; null while connected.
    disconnected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["table_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["table", "number"], name="seat_number_unique"),
            models.UniqueConstraint(
                fields=["table", "user"], condition=models.Q(user__isnull=False),
                name="one_seat_per_player_per_table",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table_id}#{self.number}"

    @property
    def occupied(self) -> bool:
        return self.user_id is not None


class HandStatus(models.TextChoices):
    LIVE = "live", "In progress"
    ENDED = "ended", "Ended"


class Hand(models.Model):
    """One hand dealt at a table. The deck stays private until the rules show it."""

    table = models.ForeignKey(Table, on_delete=models.PROTECT, related_name="hands")
    number = models.PositiveIntegerField()  # hand_no: 1, 2, ... per table
    button = models.PositiveSmallIntegerField()
    # tables.engine.HandConfig.to_dict(): seats, stacks, blinds, ante, posts.
    config = models.JSONField()
    # tables.engine.Deck.to_dict(): cards in dealing order and their salts.
    # Never serialised by any API, stream or admin page.
    deck = models.JSONField()
    # Seat -> user id at the start of the hand (seats can empty mid-hand).
    players = models.JSONField()
    # How many HandAction rows the log holds: a process's cached engine hand is
    # current when it has replayed exactly this many (tables/live.py), so the
    # hot path reads one counter on a row it reads anyway, not the whole log.
    actions_taken = models.PositiveIntegerField(default=0)
    commitment = models.CharField(max_length=64)
    status = models.CharField(max_length=5, choices=HandStatus.choices, default=HandStatus.LIVE)
    # What the hand produced at its end: winners, shown hands, final stacks, proof.
    result = models.JSONField(null=True, blank=True)
    # The action clock of the seat to act; bank_started_at is set once its
    # time bank is running (the bank is charged for the time used after it).
    action_deadline = models.DateTimeField(null=True, blank=True)
    bank_started_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Chips won at the end (every pot, uncalled bets not counted); the
    # lobby's average pot reads it. Null while in play.
    pot = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["table", "ended_at"], name="hand_by_table_end")]
        constraints = [
            models.UniqueConstraint(fields=["table", "number"], name="hand_number_unique"),
            models.UniqueConstraint(
                fields=["table"], condition=models.Q(status="live"), name="one_live_hand_per_table"
            ),
        ]

    def __str__(self) -> str:
        return f"hand {self.pk} (table {self.table_id} #{self.number})"


class HandAction(models.Model):
    """One betting action, in order. Append-only: the hand is its replay."""

    hand = models.ForeignKey(Hand, on_delete=models.CASCADE, related_name="actions")
    index = models.PositiveSmallIntegerField()
    seat = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=8)  # fold, check, call, bet, raise, all_in
    amount = models.PositiveBigIntegerField(null=True, blank=True)  # "raise to", as sent
    auto = models.BooleanField(default=False)  # taken by the clock for the player
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["hand_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["hand", "index"], name="hand_action_index_unique"),
        ]


class HandPlayer(models.Model):
    """A player dealt into a hand: the index behind "my hands" and per-player results.

    ``Hand.players`` keeps the same seat -> user map for the hot path of a hand
    in play; these rows exist to find a player's hands without reading them all.
    """

    hand = models.ForeignKey(Hand, on_delete=models.CASCADE, related_name="dealt")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hands_played")
    seat = models.PositiveSmallIntegerField()
    starting_stack = models.PositiveBigIntegerField()
    final_stack = models.PositiveBigIntegerField(null=True, blank=True)  # null while in play

    class Meta:
        ordering = ["-hand_id"]
        constraints = [models.UniqueConstraint(fields=["hand", "seat"], name="hand_player_seat_unique")]
        indexes = [models.Index(fields=["user", "-hand"], name="hand_player_by_user")]
