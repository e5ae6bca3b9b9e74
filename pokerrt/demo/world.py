"""The demo world that `make run` loads: users, a lobby, two cash tables, a sit-and-go."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from lobby.actions import do_create_lobby
from lobby.models import Lobby
from pokerrt.accounts.actions import do_create_user
from tables.actions import do_create_table
from tables.models import Table
from tournament.actions import do_create_tournament
from tournament.models import Tournament

# Known passwords, printed by `make run`. Demo only: never load on a public server.
DEMO_PLAYERS = [("alice", "alice-plays-poker"), ("bob", "bob-plays-poker"),
                ("carol", "carol-plays-poker"), ("dave", "dave-plays-poker")]
DEMO_ADMIN = ("admin", "admin-runs-poker")
DEMO_LOBBY = "Main lobby"


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
        lobby = Lobby.objects.filter(name=DEMO_LOBBY).first()
        if lobby is None:
            lobby = do_create_lobby(DEMO_LOBBY, "Play-money No-Limit Hold'em, open to all.")
            created.append(f"lobby {lobby.name}")
        for name, sb, bb, seats in (("Hold'em 5/10", 5, 10, 6), ("Hold'em 25/50", 25, 50, 9)):
            if not Table.objects.filter(lobby=lobby, name=name).exists():
                do_create_table(lobby, name, small_blind=sb, big_blind=bb, max_seats=seats,
                                min_buy_in=40 * bb, max_buy_in=200 * bb)
                created.append(f"table {name}")
        if not Tournament.objects.filter(lobby=lobby, name="Sit & Go 6").exists():
            do_create_tournament(lobby, "Sit & Go 6", buy_in=100, starting_stack=1500,
                                 min_players=6, max_players=6, table_size=6,
                                 payout_percentages=[65, 35])
            created.append("tournament Sit & Go 6")
    return DemoReport(created=created)
