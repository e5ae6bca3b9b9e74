"""The service markers' policy (tests/conftest.py): a ``postgres`` test runs only on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from tests import conftest


class MarkedItem:
    """Just enough of a pytest item for the setup hook."""

    def __init__(self, *markers: str):
        self.markers = set(markers)

    def get_closest_marker(self, name: str):
        return name if name in self.markers else None


@pytest.fixture
def every_service_answers(monkeypatch):
    monkeypatch.setattr(conftest, "answers", lambda service: True)


@pytest.mark.parametrize("in_ci", [False, True])
def test_a_postgres_test_on_sqlite_is_skipped_even_when_postgresql_answers(
        every_service_answers, monkeypatch, in_ci):
    monkeypatch.setattr(conftest, "IN_CI", in_ci)
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL, not sqlite"):
        conftest.pytest_runtest_setup(MarkedItem("postgres"))


def test_a_postgres_test_on_postgresql_runs(every_service_answers, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "postgresql")
    conftest.pytest_runtest_setup(MarkedItem("postgres", "redis"))


def test_an_unmarked_test_runs_on_any_database(every_service_answers, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    conftest.pytest_runtest_setup(MarkedItem("redis"))


def test_a_service_that_does_not_answer_fails_under_ci(monkeypatch):
    monkeypatch.setattr(conftest, "answers", lambda service: False)
    monkeypatch.setattr(conftest, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="CI=true requires it"):
        conftest.pytest_runtest_setup(MarkedItem("redis"))
