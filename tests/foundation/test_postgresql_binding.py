"""On PostgreSQL the parameters are bound by the server, and a statement run often is prepared once (settings.py)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from lobby.actions import do_create_lobby
from lobby.models import Lobby
from pokerrt.hotpath import HotQuery

pytestmark = pytest.mark.django_db


def prepared(fragment: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{fragment}%"])
        return cursor.fetchone()[0]


def test_a_statement_run_again_and_again_is_prepared_once():
    if connection.vendor != "postgresql":
        pytest.skip("server-side binding is PostgreSQL's; the database is " + connection.vendor)
    if not settings.DATABASES["default"]["OPTIONS"].get("server_side_binding"):
        pytest.skip("DATABASE_SERVER_SIDE_BINDING is off")
    lobby = do_create_lobby("Main")
    by_pk = HotQuery(lambda pk: Lobby.objects.filter(pk=pk).order_by()[:1])
    table = Lobby._meta.db_table
    assert prepared(table) == 0
    # psycopg prepares a statement on its fifth run on a connection (prepare_threshold).
    for _ in range(6):
        assert by_pk.first(lobby.pk) == lobby
    assert prepared(table) == 1
    # Parameters travel apart from the SQL: the prepared text holds placeholders, not the value.
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{table}%"])
        [(statement,)] = cursor.fetchall()
    assert "$1" in statement
