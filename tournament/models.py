"""Tournaments, blind structures and entries: data and queries only; every change goes through tournament/actions.py."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum

from .payouts import PAYOUT_TABLES


class TournamentKind(models.TextChoices):
    SIT_AND_GO = "sng", "Sit and go"  # starts when max_players have registered
    SCHEDULED = "mtt", "Scheduled multi-table"  # starts at starts_at, with at least min_players


class TournamentStatus(models.TextChoices):
    """Where a tournament is in its life; a break is ``on_break`` while RUNNING or PAUSED, not a status."""

    REGISTERING = "registering", "Registering"  # open for registration, not started
    RUNNING = "running", "Running"  # hands are dealt and the clock runs
    PAUSED = "paused", "Paused"  # staff stopped the clock; it resumes from paused_seconds_left
    FINISHED = "finished", "Finished"  # played to its winner
    CANCELLED = "cancelled", "Cancelled"  # stopped by staff or short of players; everyone refunded


class EntryStatus(models.TextChoices):
    """A player's entry: live while registered, playing or eliminated; unregistered and refunded ones are history."""

    REGISTERED = "registered", "Registered"  # paid, waiting for the start (or a late seat)
    PLAYING = "playing", "Playing"  # seated with chips
    ELIMINATED = "eliminated", "Eliminated"  # out, with a finish position (and maybe a prize)
    UNREGISTERED = "unregistered", "Unregistered"  # left before the start, buy-in and fee refunded
    REFUNDED = "refunded", "Refunded"  # the tournament was cancelled, buy-in and fee refunded
    # In play when staff cancelled the tournament: a share of the pool by chips, and the fee back.
    CANCELLED = "cancelled", "In play when cancelled"


# Entries that no longer hold a place in the tournament nor a share of its pool.
GONE = (EntryStatus.UNREGISTERED.value, EntryStatus.REFUNDED.value)
# Live entries whose fee went back to the player (the house keeps the others').
FEE_RETURNED = (EntryStatus.CANCELLED.value,)
# Entries the PLAYER stream's ``registrations`` lists: the tournaments the player is still in.
CURRENT = (EntryStatus.REGISTERED.value, EntryStatus.PLAYING.value)


class BlindStructure(models.Model):
    """A named sequence of blind levels ("turbo", "regular"); tournaments share it."""

    name = models.CharField(max_length=40, unique=True)
    description = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class BlindLevel(models.Model):
    """One level of a structure, and the break that follows it, if any."""

    structure = models.ForeignKey(BlindStructure, on_delete=models.CASCADE, related_name="levels")
    # 1, 2, 3, ... in the order they are played.
    number = models.PositiveSmallIntegerField()
    small_blind = models.PositiveIntegerField()
    big_blind = models.PositiveIntegerField()
    # Each player's ante, or with big_blind_ante the whole table's ante, posted by the big blind alone.
    ante = models.PositiveIntegerField(default=0)
    big_blind_ante = models.BooleanField(default=False)
    minutes = models.PositiveSmallIntegerField()
    # A break of this many minutes once this level ends (0: play straight on).
    break_minutes = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["structure", "number"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "number"], name="blind_level_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.structure} level {self.number}: {self.small_blind}/{self.big_blind}"


class TournamentQuerySet(models.QuerySet["Tournament"]):
    def with_field(self) -> TournamentQuerySet:
        """Annotated with ``registered_count`` and ``pool_total``: the live entries and their buy-ins."""
        live = ~Q(entries__status__in=GONE)
        return self.annotate(
            registered_count=Count("entries", filter=live),
            pool_total=Sum("entries__buy_in", filter=live, default=0),
        )


class Tournament(models.Model):
    lobby = models.ForeignKey("lobby.Lobby", on_delete=models.PROTECT, related_name="tournaments")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=3, choices=TournamentKind.choices, default=TournamentKind.SIT_AND_GO)
    # Into the prize pool, and to the house, per entry.
    buy_in = models.PositiveIntegerField(default=100)
    fee = models.PositiveIntegerField(default=0)
    starting_stack = models.PositiveIntegerField(default=1500)
    # Seats per table.
    table_size = models.PositiveSmallIntegerField(default=9, validators=[MinValueValidator(2), MaxValueValidator(10)])
    min_players = models.PositiveSmallIntegerField(default=2, validators=[MinValueValidator(2)])
    max_players = models.PositiveSmallIntegerField(default=9)
    # Scheduled tournaments only: when play starts (or the tournament is cancelled, short of min_players).
    starts_at = models.DateTimeField(null=True, blank=True)
    # Registration stays open while the level played is at most this one (0: closes at the start).
    late_registration_levels = models.PositiveSmallIntegerField(default=0)
    structure = models.ForeignKey(BlindStructure, on_delete=models.PROTECT, related_name="tournaments")
    # A table of payouts.PAYOUT_TABLES, shares by field size.
    payout_structure = models.CharField(max_length=20, default="standard",
                                        choices=[(name, name) for name in PAYOUT_TABLES])
    # Fixed shares by place, in percent, replacing the payout table when not empty.
    payout_percentages = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=12, choices=TournamentStatus.choices, default=TournamentStatus.REGISTERING
    )
    # The clock (part two runs it): the level played (0 before the start), whether
    # a break is on, and when the level or break ends (null unless the clock runs).
    level = models.PositiveSmallIntegerField(default=0)
    on_break = models.BooleanField(default=False)
    period_ends_at = models.DateTimeField(null=True, blank=True)
    # While PAUSED: what was left of the level or break when the clock stopped.
    paused_seconds_left = models.FloatField(null=True, blank=True)
    # Bumped whenever the clock is rescheduled, so a stale wake-up does nothing.
    clock_version = models.PositiveIntegerField(default=0)
    # The level ended into a break: tables finish their hands and hold; the
    # break starts once none is in a hand.
    break_pending = models.BooleanField(default=False)
    # Hand-for-hand on the money bubble: each table deals round ``hand_round``
    # once, then waits for the others (TournamentTable.played_round).
    hand_for_hand = models.BooleanField(default=False)
    hand_round = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TournamentQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(min_players__gte=2), name="tournament_min_players_at_least_2"),
            models.CheckConstraint(condition=Q(max_players__gte=models.F("min_players")),
                                   name="tournament_max_players_at_least_min"),
            models.CheckConstraint(condition=Q(table_size__gte=2, table_size__lte=10),
                                   name="tournament_table_size_2_to_10"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.min_players is not None and self.max_players is not None and self.max_players < self.min_players:
            raise ValidationError({"max_players": [f"At least min_players ({self.min_players})."]})

    def live_entries(self) -> models.QuerySet[Entry]:
        return self.entries.exclude(status__in=GONE)

    def entry_of(self, user: object) -> Entry | None:
        """The user's live entry, if any (at most one: a constraint)."""
        return self.live_entries().filter(user=user).first()

    def field(self) -> tuple[int, int]:
        """(players registered, prize pool): the live entries and the buy-ins they paid."""
        totals = self.live_entries().aggregate(count=Count("id"), pool=Sum("buy_in", default=0))
        return totals["count"], totals["pool"]

    def registration_open(self) -> bool:
        """Before the start, or running (or paused) up to the last level of late registration."""
        if self.status == TournamentStatus.REGISTERING:
            return True
        running = self.status in (TournamentStatus.RUNNING, TournamentStatus.PAUSED)
        return running and self.level <= self.late_registration_levels


class Entry(models.Model):
    """One player's place in a tournament: paid, then seated, then out with a position."""

    tournament = models.ForeignKey(Tournament, on_delete=models.PROTECT, related_name="entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="entries")
    status = models.CharField(max_length=12, choices=EntryStatus.choices, default=EntryStatus.REGISTERED)
    # What this entry paid: the pool and the refunds follow these, whatever the tournament says later.
    buy_in = models.PositiveIntegerField()
    fee = models.PositiveIntegerField()
    # Tournament chips (not wallet chips): the starting stack until seated, then the stack.
    chips = models.PositiveIntegerField(default=0)
    table = models.ForeignKey("tables.Table", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="entries")
    seat = models.PositiveSmallIntegerField(null=True, blank=True)
    # 1 is the winner; set on elimination (and for the winner at the end).
    finish_position = models.PositiveIntegerField(null=True, blank=True)
    # Credited to the wallet through the ledger from the pool.
    prize = models.PositiveIntegerField(default=0)
    registered_at = models.DateTimeField(auto_now_add=True)
    unregistered_at = models.DateTimeField(null=True, blank=True)
    # Set while the player has no connection open anywhere (PLAYER_DISCONNECT
    # told the tournament); cleared by PLAYER_RECONNECT.
    disconnected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["tournament", "user"], condition=~Q(status__in=GONE),
                                    name="entry_one_live_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.tournament} ({self.status})"


class TournamentTable(models.Model):
    """A table of a tournament: created at the start (or for late entries), closed when broken up."""

    tournament = models.ForeignKey(Tournament, on_delete=models.PROTECT, related_name="tables")
    table = models.OneToOneField("tables.Table", on_delete=models.PROTECT, related_name="tournament_table")
    # Balancing moves players off this table once its hand in play ends: no new hand meanwhile.
    held = models.BooleanField(default=False)
    # Hand-for-hand: the last round this table dealt its hand of.
    played_round = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["table_id"]

    def __str__(self) -> str:
        return f"{self.tournament} table {self.table_id}"
