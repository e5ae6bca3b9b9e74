"""The embedded backend turns Django's ``%s`` into sqlite3's ``?`` as Django does, once per statement text."""

import pytest
from django.db import connection

from pokerrt.sqlite3 import base

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip(f"the placeholders are SQLite's backend's; the database is {connection.vendor}")


def test_a_statement_converts_as_djangos_and_its_text_is_kept():
    sql = "SELECT %s, '100%%', %s || 'x'"
    base._qmark.pop(sql, None)
    with connection.cursor() as cursor:
        cursor.execute(sql, [1, "a"])
        assert cursor.fetchone() == (1, "100%", "ax")
        assert base._qmark[sql] == "SELECT ?, '100%', ? || 'x'"
        # the same text again: read back, not converted again
        base._qmark[sql] = "SELECT ?, 'kept', ? || 'x'"
        cursor.execute(sql, [2, "b"])
        assert cursor.fetchone() == (2, "kept", "bx")
    base._qmark.pop(sql, None)


def test_named_parameters_still_convert_and_are_not_kept():
    sql = "SELECT %(a)s + %(b)s"
    with connection.cursor() as cursor:
        cursor.execute(sql, {"a": 1, "b": 2})
        assert cursor.fetchone() == (3,)
    assert sql not in base._qmark


def test_the_kept_texts_are_bounded():
    base._qmark.clear()
    with connection.cursor() as cursor:
        for n in range(base._QMARK_TEXTS + 10):
            cursor.execute(f"SELECT %s + {n}", [1])
    assert len(base._qmark) <= base._QMARK_TEXTS
