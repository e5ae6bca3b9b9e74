"""Who may call what: every endpoint under /api/ and every method it takes, as anonymous, player and staff.

The cases are generated from the URLconf, and every one must be in ACCESS:
an endpoint added without saying who may call it fails here, so none can be
missed. A caller refused by permission gets 401 (not logged in) or 403 (not
allowed); a caller let through gets anything else (its body may still be
refused, its state may conflict), but never those two.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

# Who may call each endpoint (by URL name) with each method:
# "anyone" (logged in or not), "user" (any logged-in user), "staff".
ACCESS: dict[tuple[str, str], str] = {
    ("api-register", "POST"): "anyone",
    ("api-token", "POST"): "anyone",
    ("api-me", "GET"): "user",
    ("api-my-ledger", "GET"): "user",
    ("api-my-registrations", "GET"): "user",
    ("api-my-hands", "GET"): "user",
    ("api-hand", "GET"): "user",
    ("api-hand-history", "GET"): "user",
    ("api-lobbies", "GET"): "anyone",
    ("api-lobbies", "POST"): "staff",
    ("api-lobby", "GET"): "anyone",
    ("api-lobby", "PATCH"): "staff",
    ("api-lobby", "DELETE"): "staff",
    ("api-tables", "GET"): "anyone",
    ("api-tables", "POST"): "staff",
    ("api-table", "GET"): "anyone",
    ("api-table", "PATCH"): "staff",
    ("api-table", "DELETE"): "staff",
    ("api-table-seat", "POST"): "user",
    ("api-table-seat", "DELETE"): "user",
    ("api-tournaments", "GET"): "anyone",
    ("api-tournaments", "POST"): "staff",
    ("api-tournament", "GET"): "anyone",
    ("api-tournament", "PATCH"): "staff",
    ("api-tournament", "DELETE"): "staff",
    ("api-tournament-registration", "POST"): "user",
    ("api-tournament-registration", "DELETE"): "user",
    ("api-tournament-start", "POST"): "staff",
    ("api-tournament-pause", "POST"): "staff",
    ("api-tournament-resume", "POST"): "staff",
    ("api-structures", "GET"): "anyone",
    ("api-structures", "POST"): "staff",
    ("api-structure", "GET"): "anyone",
    ("api-structure", "PATCH"): "staff",
    ("api-structure", "DELETE"): "staff",
    ("api-schema", "GET"): "anyone",
    ("api-docs", "GET"): "anyone",
}

# Not endpoints: what answers paths under /api/ that name none.
NOT_ENDPOINTS = {"api-not-found"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ROLES = ("anonymous", "player", "staff")


def _walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, str, object]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.name or "", pattern.callback


def api_endpoints() -> list[tuple[str, str, str]]:
    """(URL name, route, method) for every method of every view under api/."""
    found = []
    for route, name, callback in _walk(get_resolver().url_patterns):
        if not route.startswith("api/") or name in NOT_ENDPOINTS:
            continue
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        assert view_class is not None, f"{route} is not a class-based view: the matrix cannot read its methods"
        for method in METHODS:
            if hasattr(view_class, method.lower()):
                found.append((name, route, method))
    return found


ENDPOINTS = api_endpoints()


def test_every_endpoint_and_method_is_in_the_matrix():
    listed = {(name, method) for name, _, method in ENDPOINTS}
    missing = listed - set(ACCESS)
    assert not missing, f"say who may call these in ACCESS: {sorted(missing)}"
    gone = set(ACCESS) - listed
    assert not gone, f"ACCESS names endpoints that do not exist: {sorted(gone)}"


def test_the_walk_found_the_endpoints():
    # A walk that found nothing would pass every case below by having none.
    assert len(ENDPOINTS) >= len(ACCESS) > 30


@pytest.fixture
def world(db, make_user):
    """One of each thing an id in a path may name."""
    from lobby.actions import do_create_lobby
    from tables.actions import do_create_table
    from tournament.actions import do_create_structure, do_create_tournament
    from tournament.structures import Level

    lobby = do_create_lobby("Matrix")
    return {
        "lobby_id": lobby.pk,
        "table_id": do_create_table(lobby, "T", small_blind=5, big_blind=10).pk,
        "tournament_id": do_create_tournament(lobby, "S", buy_in=10, max_players=6, table_size=6).pk,
        "structure_id": do_create_structure("matrix", [Level(10, 20, minutes=5)]).pk,
        "hand_id": 1,
        "player": make_user("plain"),
        "staff": make_user("boss", is_staff=True),
    }


def _path(route: str, world: dict) -> str:
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(world[m[1]]), route)
    return path.replace("^", "").replace("$", "")


@pytest.mark.parametrize(("name", "route", "method"), ENDPOINTS, ids=[f"{m} {n}" for n, _, m in ENDPOINTS])
@pytest.mark.parametrize("role", ROLES)
def test_permission(world, name, route, method, role):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(world[role])
    response = client.generic(method, _path(route, world), "{}", content_type="application/json")
    access = ACCESS[(name, method)]
    allowed = access == "anyone" or (access == "user" and role != "anonymous") or (access == "staff" and role == "staff")
    if allowed:
        assert response.status_code not in (401, 403), (response.status_code, response.content[:300])
        assert response.status_code < 500
    elif role == "anonymous":
        assert response.status_code == 401
        assert response.json()["code"] == "UNAUTHENTICATED"
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "FORBIDDEN"
