"""What must hold of a TOURNAMENT stream: the tournament app's rules for the reconciler and the tests."""

from __future__ import annotations

from collections import Counter

from django.db.models import Sum

from pokerrt.realtime.validation import Problem
from tables.models import Seat

from .models import EntryStatus, Tournament, TournamentStatus, TournamentTable

_PLAYING = (TournamentStatus.RUNNING.value, TournamentStatus.PAUSED.value)


def active_tournaments() -> list[int]:
    live = (TournamentStatus.REGISTERING.value, *_PLAYING)
    return list(Tournament.objects.filter(status__in=live).order_by("pk").values_list("pk", flat=True))


def tournament_problems(tournament_id: str) -> list[Problem]:
    """Chips in play are the seated entries' starting stacks; one seat per player; one player per place.

    Chips enter only when an entry is seated (no rebuys, no add-ons), and an
    eliminated player's chips stay on the tables with whoever won them.
    """
    tournament = Tournament.objects.filter(pk=int(tournament_id)).first()
    if tournament is None:
        return []

    def problem(rule: str, message: str) -> Problem:
        return Problem("TOURNAMENT", tournament_id, rule, message)

    found = []
    table_ids = TournamentTable.objects.filter(tournament=tournament).values_list("table_id", flat=True)
    seats = Seat.objects.filter(table_id__in=table_ids)
    if tournament.status in _PLAYING:
        seated = tournament.entries.filter(status__in=[EntryStatus.PLAYING, EntryStatus.ELIMINATED]).count()
        in_play = seats.aggregate(total=Sum("stack", default=0))["total"]
        if in_play != seated * tournament.starting_stack:
            found.append(problem("chips_in_play", f"{in_play} chips in play, not {seated} seated x "
                                                  f"{tournament.starting_stack}"))
    users = Counter(seats.filter(user__isnull=False).values_list("user_id", flat=True))
    twice = sorted(user for user, n in users.items() if n > 1)
    if twice:
        found.append(problem("seated_once", f"users {twice} sit at more than one of its tables"))
    places = Counter(tournament.entries.filter(finish_position__isnull=False).values_list("finish_position", flat=True))
    shared = sorted(place for place, n in places.items() if n > 1)
    if shared:
        found.append(problem("places_unique", f"places {shared} are held by more than one entry"))
    return found
