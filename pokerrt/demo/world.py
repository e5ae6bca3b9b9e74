"""The demo world that `make run` loads: users, a low and a high stakes lobby, each with cash tables and tournaments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from lobby.actions import do_create_lobby
from lobby.models import Lobby
from pokerrt import clock
from pokerrt.accounts.actions import do_create_user
from tables.actions import do_create_table
from tables.models import Table
from tournament.actions import do_create_tournament
from tournament.models import Tournament, TournamentKind

# Known passwords, printed by `make run`. Demo only: never load on a public server.
DEMO_PLAYERS = [("alice", "alice-plays-poker"), ("bob", "bob-plays-poker"),
                ("carol", "carol-plays-poker"), ("dave", "dave-plays-poker")]
DEMO_ADMIN = ("admin", "admin-runs-poker")


@dataclass(frozen=True)
class DemoTable:
    name: str
    small_blind: int
    big_blind: int
    max_seats: int
    ante: int = 0


@dataclass(frozen=True)
class DemoTournament:
    name: str
    buy_in: int
    max_players: int
    # Hours from now for a scheduled tournament; None for a sit and go (starts when full).
    starts_in_hours: int | None = None


@dataclass(frozen=True)
class DemoLobby:
    name: str
    description: str
    tables: tuple[DemoTable, ...]
    tournaments: tuple[DemoTournament, ...]


DEMO_LOBBIES = (
    DemoLobby("Low stakes", "Play-money No-Limit Hold'em for everyone: small blinds, small buy-ins.",
              (DemoTable("Hold'em 1/2", 1, 2, 6), DemoTable("Hold'em 5/10", 5, 10, 6),
               DemoTable("Hold'em 10/20 full ring", 10, 20, 9)),
              (DemoTournament("Sit & Go 6", 100, 6), DemoTournament("Turbo 18", 50, 18),
               DemoTournament("Evening 200", 200, 45, starts_in_hours=6))),
    DemoLobby("High stakes", "Deep stacks and big blinds, play money still.",
              (DemoTable("Hold'em 100/200", 100, 200, 6), DemoTable("Hold'em 250/500 ante", 250, 500, 9, ante=50)),
              (DemoTournament("High roller 6", 5000, 6), DemoTournament("Sunday 2500", 2500, 90, starts_in_hours=24))),
)


@dataclass
class DemoReport:
    created: list[str]


def load_demo() -> DemoReport:
    """Create whatever part of the demo world is missing; safe to run again."""
    created: list[str] = []
    User = get_user_model()
    with transaction.atomic():
        for username, password in DEMO_PLAYERS:
            if not User.objects.filter(username=username).exists():
                do_create_user(username, password)
                created.append(f"user {username}")
        admin_name, admin_password = DEMO_ADMIN
        if not User.objects.filter(username=admin_name).exists():
            do_create_user(admin_name, admin_password, is_staff=True, is_superuser=True)
            created.append(f"superuser {admin_name}")
        for demo in DEMO_LOBBIES:
            created += _load_lobby(demo)
    return DemoReport(created=created)


def _load_lobby(demo: DemoLobby) -> list[str]:
    created = []
    lobby = Lobby.objects.live().filter(name=demo.name).first()
    if lobby is None:
        lobby = do_create_lobby(demo.name, demo.description)
        created.append(f"lobby {lobby.name}")
    for table in demo.tables:
        if not Table.objects.filter(lobby=lobby, name=table.name).exists():
            do_create_table(lobby, table.name, small_blind=table.small_blind, big_blind=table.big_blind,
                            ante=table.ante, max_seats=table.max_seats,
                            min_buy_in=40 * table.big_blind, max_buy_in=200 * table.big_blind)
            created.append(f"table {table.name}")
    for tournament in demo.tournaments:
        if Tournament.objects.filter(lobby=lobby, name=tournament.name).exists():
            continue
        scheduled = tournament.starts_in_hours is not None
        do_create_tournament(
            lobby, tournament.name, kind=TournamentKind.SCHEDULED if scheduled else TournamentKind.SIT_AND_GO,
            buy_in=tournament.buy_in, starting_stack=1500, min_players=min(6, tournament.max_players),
            max_players=tournament.max_players, table_size=min(9, tournament.max_players),
            starts_at=clock.now() + dt.timedelta(hours=tournament.starts_in_hours) if scheduled else None,
            payout_percentages=[65, 35] if tournament.max_players <= 9 else [50, 30, 20],
        )
        created.append(f"tournament {tournament.name}")
    return created
