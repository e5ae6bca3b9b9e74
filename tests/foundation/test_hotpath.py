"""HotQuery: a hot lookup compiled by the ORM once, then run with new parameters; update_each: a bulk update written once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from lobby.actions import do_create_lobby
from lobby.models import Lobby, RowChange
from pokerrt.hotpath import HotQuery, insert, update_each

pytestmark = pytest.mark.django_db


def test_the_same_query_answers_for_each_parameter():
    first, second = do_create_lobby("First"), do_create_lobby("Second")
    by_pk = HotQuery(lambda pk: Lobby.objects.filter(pk=pk).order_by()[:1])
    assert by_pk.first(first.pk) == first
    assert by_pk.first(second.pk).name == "Second"
    assert by_pk.first(second.pk + 100) is None


def test_it_is_compiled_once_and_runs_one_query_each_time():
    lobby = do_create_lobby("Main")
    built = []
    query = HotQuery(lambda pk: built.append(pk) or Lobby.objects.filter(pk=pk).order_by()[:1])
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert query.first(lobby.pk) == lobby
        assert len(queries.captured_queries) == 1
    assert built == [lobby.pk]


def test_a_query_binding_other_parameters_than_given_is_refused():
    do_create_lobby("Main")
    # Two keywords in one filter bind in the ORM's order, not the caller's.
    query = HotQuery(lambda pk, name: Lobby.objects.filter(pk=pk, name=name).order_by()[:1])
    with pytest.raises(ValueError, match="binds"):
        query.first(1, "Main")


def test_each_column_comes_back_as_the_orm_reads_it():
    # given: a datetime column (SQLite stores text), which the ORM's converters turn back
    lobby = do_create_lobby("Main")
    by_pk = HotQuery(lambda pk: Lobby.objects.filter(pk=pk).order_by()[:1])
    # when
    found = by_pk.first(lobby.pk)
    # then
    expected = Lobby.objects.get(pk=lobby.pk)
    assert [getattr(found, f.attname) for f in Lobby._meta.concrete_fields] == [
        getattr(expected, f.attname) for f in Lobby._meta.concrete_fields
    ]
    assert found.created_at.tzinfo is not None and not found._state.adding


def test_a_deferred_field_loads_on_first_use():
    lobby = do_create_lobby("Main")
    lobby_only = HotQuery(lambda pk: Lobby.objects.filter(pk=pk).defer("description").order_by()[:1])
    found = lobby_only.first(lobby.pk)
    assert found.get_deferred_fields() == {"description"}
    with CaptureQueriesContext(connection) as queries:
        assert found.description == lobby.description
    assert len(queries.captured_queries) == 1


def test_a_query_of_other_columns_than_its_models_is_refused():
    lobby = do_create_lobby("Main")
    query = HotQuery(lambda pk: Lobby.objects.filter(pk=pk).annotate(n=Count("tables")).order_by()[:1])
    with pytest.raises(ValueError, match="no annotations"):
        query.first(lobby.pk)


def test_all_returns_every_row_in_the_querys_order():
    lobbies = [do_create_lobby(name) for name in ("B", "A", "C")]
    by_name = HotQuery(lambda start: Lobby.objects.filter(pk__gte=start).order_by("name"))
    assert [lobby.name for lobby in by_name.all(lobbies[0].pk)] == ["A", "B", "C"]
    assert by_name.all(lobbies[-1].pk + 1) == []


def test_update_each_sets_each_row_its_own_value_in_one_statement():
    # given
    lobbies = [do_create_lobby(name) for name in ("A", "B", "C")]
    # when: two of three get their own description, and only where the name also matches
    with CaptureQueriesContext(connection) as queries:
        update_each(Lobby, "description", "id", {lobbies[0].pk: "first", lobbies[1].pk: "second"}, name="A")
        update_each(Lobby, "description", "id", {lobbies[0].pk: "never", lobbies[1].pk: "second"}, name="B")
    # then
    assert len(queries.captured_queries) == 2
    assert [Lobby.objects.get(pk=lobby.pk).description for lobby in lobbies] == ["first", "second", ""]


def test_update_each_of_nothing_sends_nothing():
    with CaptureQueriesContext(connection) as queries:
        update_each(Lobby, "description", "id", {})
    assert queries.captured_queries == []


def test_select_related_rows_come_back_as_the_orms_related_instances(make_user):
    # given: a seat with a player and one without, at one table
    from tables.actions import do_create_table, do_join_table
    from tables.models import Seat

    table = do_create_table(do_create_lobby("Main"), "T", small_blind=5, big_blind=10, min_buy_in=100)
    player = make_user("ann")
    do_join_table(player, table.pk, 500)
    seats = HotQuery(lambda pk: Seat.objects.filter(table_id=pk).select_related("user").order_by("number"))
    # when
    found = seats.all(table.pk)
    # then: the player came with the seat (no query to reach them); empty seats have none
    expected = list(Seat.objects.filter(table=table).select_related("user").order_by("number"))
    assert [(s.pk, s.number, s.user_id, s.stack) for s in found] == [
        (s.pk, s.number, s.user_id, s.stack) for s in expected
    ]
    with CaptureQueriesContext(connection) as queries:
        taken = [s for s in found if s.user_id is not None]
        assert [s.user.username for s in taken] == ["ann"]
        assert all(s.user is None for s in found if s.user_id is None)
    assert queries.captured_queries == []


def test_insert_gives_the_rows_their_ids_in_one_statement():
    rows = insert([RowChange(lobby_id=1, section="tables", item_id=str(n)) for n in range(3)])
    assert [row.pk for row in rows] == list(RowChange.objects.order_by("pk").values_list("pk", flat=True))
    assert not rows[0]._state.adding


def test_insert_without_returning_writes_the_rows_and_reads_back_no_ids():
    with CaptureQueriesContext(connection) as queries:
        rows = insert([RowChange(lobby_id=1, section="tables", item_id=str(n)) for n in range(2)], returning=False)
    [statement] = queries.captured_queries
    assert statement["sql"].startswith("INSERT") and "RETURNING" not in statement["sql"]
    assert [row.pk for row in rows] == [None, None]
    assert sorted(RowChange.objects.values_list("item_id", flat=True)) == ["0", "1"]
    # The same rows with ids asked for: another statement, written separately.
    with CaptureQueriesContext(connection) as queries:
        insert([RowChange(lobby_id=1, section="tables", item_id=str(n)) for n in range(2)])
    assert "RETURNING" in queries.captured_queries[0]["sql"]
