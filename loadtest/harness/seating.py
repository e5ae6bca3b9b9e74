"""Who plays where: a lobby, its cash tables or one sit-and-go, and the bots' accounts and tokens.

Two ways, with the same result (:class:`Seating`):

- ``local`` (only with nodes the harness started): one subprocess runs the
  actions through the ORM on the fresh database (migrate included), with a
  fast password hasher; quick for hundreds of bots.
- ``api`` (any URL): the public REST API (docs/api.md). A staff account
  (``--staff USER:PASSWORD``) logs in (``POST /api/auth/token/``) and creates
  the lobby (``POST /api/lobbies/``), the tables (``POST /api/tables/``) or the
  sit-and-go (``POST /api/tournaments/``); each bot signs up
  (``POST /api/auth/register/``: its id and token; every new account gets
  its starting chips). A server under test must let one address sign up that
  many accounts: ``POKERRT_SIGNUP_RATE_PER_ADDRESS=off`` (and the API rates
  off or high) on it. Sign-ups hash passwords the server's real way, so this
  costs the server CPU before the run starts (outside the measured window).

Bots sit round-robin: player ``p`` at table ``p // players_per_table``.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from .nodes import REPO

# Tables as the table benchmark plays them: small blinds, a deep max buy-in, a 30 s clock.
TABLE_SETTINGS = {"small_blind": 5, "big_blind": 10, "min_buy_in": 100, "max_buy_in": 100000,
                  "action_seconds": 30}
BUY_IN = 1000
# A sit-and-go the bots can afford from their starting chips.
TOURNAMENT_SETTINGS = {"kind": "sng", "buy_in": 100, "fee": 0, "starting_stack": 1500, "structure": "turbo",
                       "payout_percentages": [100]}


@dataclass
class Seat:
    user_id: str
    token: str
    table_id: str | None  # None in a tournament: the start seats the bot


@dataclass
class Seating:
    lobby_id: str
    table_ids: list[str] = field(default_factory=list)
    players: list[Seat] = field(default_factory=list)
    tournament_id: str | None = None


def plan(players: int, tables: int, tournament: bool) -> dict[str, Any]:
    """What to create; the same for both ways. Raises ValueError for a field that cannot be played."""
    if tournament:
        if players < 2:
            raise ValueError("a tournament needs at least 2 players")
        return {"players": players, "tables": 0, "tournament": True, "table_size": min(players, 6)}
    if players and tables < 1:
        raise ValueError("players need at least one table")
    per_table = -(-players // tables) if tables else 0
    if players and not 2 <= per_table <= 10:
        raise ValueError(f"{players} players at {tables} tables is {per_table} a table: a table seats 2 to 10")
    if players and players - (tables - 1) * per_table < 2:
        raise ValueError(f"{players} players at {tables} tables leaves the last table without two players")
    return {"players": players, "tables": tables, "tournament": False, "per_table": max(per_table, 2)}


LOCAL_SETUP = """
import json, sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
spec = json.loads(sys.argv[1])
from django.contrib.auth import get_user_model
if spec.get("staff"):
    # Hashed the server's way: it logs in through the API (--setup api on local nodes).
    username, password = spec["staff"]
    get_user_model().objects.create_superuser(username, password=password)
from django.conf import settings
# The bots sign in with tokens: hashing their passwords the slow way is only setup time.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from rest_framework.authtoken.models import Token
from lobby.actions import do_create_lobby
from pokerrt.accounts.actions import do_create_user
from tables.actions import do_create_table
from tournament.actions import do_create_tournament
lobby = do_create_lobby("Harness " + spec["tag"])
tables = [do_create_table(lobby, f"Harness {t}", max_seats=spec["per_table"], **spec["table"]).pk
          for t in range(spec["tables"])]
tournament = None
if spec["tournament"]:
    n = spec["players"]
    tournament = do_create_tournament(lobby, "Harness SNG", min_players=n, max_players=n,
                                      table_size=spec["table_size"], **spec["sng"]).pk
players = []
for p in range(spec["players"]):
    user = do_create_user(f"h{spec['tag']}_{p}", "harness-password-1")
    table = None if spec["tournament"] else tables[p // spec["per_table"]]
    players.append([user.pk, Token.objects.create(user=user).key, table])
print(json.dumps({"lobby": lobby.pk, "tables": tables, "tournament": tournament, "players": players}))
"""


def seat_locally(env: dict[str, str], players: int, tables: int, tournament: bool,
                 staff: str | None = None) -> Seating:
    """Migrate the fresh database and seat the bots; ``staff`` (``USER:PASSWORD``): also make that superuser."""
    spec = {**plan(players, tables, tournament), "tag": secrets.token_hex(3), "table": TABLE_SETTINGS,
            "sng": TOURNAMENT_SETTINGS, "staff": staff.split(":", 1) if staff else None}
    done = subprocess.run([sys.executable, "-c", LOCAL_SETUP, json.dumps(spec)], env=env, cwd=REPO,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"local setup failed:\n{done.stderr[-3000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return Seating(str(out["lobby"]), [str(t) for t in out["tables"]],
                   [Seat(str(u), k, None if t is None else str(t)) for u, k, t in out["players"]],
                   None if out["tournament"] is None else str(out["tournament"]))


class ApiError(RuntimeError):
    pass


def call(http: str, method: str, path: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    """One REST call; the JSON answer, or ApiError with the server's error code and message."""
    request = urllib.request.Request(http + path, method=method, data=json.dumps(body or {}).encode(),
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:500]
        raise ApiError(f"{method} {path}: HTTP {error.code} {detail}") from None


def seat_through_api(http: str, staff: str, players: int, tables: int, tournament: bool) -> Seating:
    spec = plan(players, tables, tournament)
    username, _, password = staff.partition(":")
    staff_token = call(http, "POST", "/api/auth/token/", {"username": username, "password": password})["token"]
    tag = secrets.token_hex(3)
    lobby = str(call(http, "POST", "/api/lobbies/", {"name": f"Harness {tag}"}, staff_token)["id"])
    seating = Seating(lobby)
    for t in range(spec["tables"]):
        table = call(http, "POST", "/api/tables/", {"lobby": int(lobby), "name": f"Harness {t}",
                                                    "max_seats": spec["per_table"], **TABLE_SETTINGS}, staff_token)
        seating.table_ids.append(str(table["id"]))
    if tournament:
        created = call(http, "POST", "/api/tournaments/",
                       {"lobby": int(lobby), "name": "Harness SNG", "min_players": players, "max_players": players,
                        "table_size": spec["table_size"], **TOURNAMENT_SETTINGS}, staff_token)
        seating.tournament_id = str(created["id"])
    for p in range(players):
        account = call(http, "POST", "/api/auth/register/",
                       {"username": f"h{tag}_{p}", "password": f"harness-{secrets.token_hex(8)}"})
        table = None if tournament else seating.table_ids[p // spec["per_table"]]
        seating.players.append(Seat(str(account["id"]), account["token"], table))
    return seating
