"""Queries on the hot path, compiled by the ORM once per process and run raw after that.

A betting action runs the same few lookups every time (lock the table, the
hand in play, the player's seat). Building a
QuerySet and compiling its SQL costs more CPU than SQLite takes to answer it,
so each :class:`HotQuery` asks the ORM for its SQL once, on first use, and
afterwards only binds new parameters. The ORM still writes the SQL (quoting,
FOR UPDATE where the database has it, the columns of every concrete field)
and its converters still turn each column into its Python value; the row
becomes an instance through ``Model.from_db``, and rows joined by
``select_related`` become its related instances through the ORM's own
populators, as the ORM's iterator does, without a RawQuerySet's per-query
column mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Compiled(Generic[M]):
    model: type[M]
    sql: str
    # The model's attribute names, in the order of its selected columns.
    attnames: list[str]
    # Where the model's own columns are in a row (the rest are select_related's).
    columns: slice
    # Column position -> (converters, expression): the ORM's own, found once.
    converters: dict[int, tuple[list[Any], Any]]
    # The ORM's builders of the select_related instances, one per relation.
    related: list[Any]


class HotQuery(Generic[M]):
    """``HotQuery(lambda pk: Table.objects.filter(pk=pk)[:1]).first(17)``.

    ``build(*params)`` must return a query whose SQL parameters are exactly
    ``params``, in order: checked when it is compiled, so a query whose
    parameters do not line up fails loudly instead of binding the wrong values.
    """

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self.build = build
        # vendor -> compiled query: one process may serve one database only,
        # but the test suite switches between them.
        self.compiled: dict[str, _Compiled[M]] = {}

    def first(self, *params: Any) -> M | None:
        """The first instance the query finds, or None."""
        db = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled(db, params)
        with db.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        return None if row is None else self._instance(db, compiled, row)

    def all(self, *params: Any) -> list[M]:
        """Every instance the query finds, in its order."""
        db = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled(db, params)
        with db.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return [self._instance(db, compiled, row) for row in rows]

    def _compiled(self, db: Any, params: tuple[Any, ...]) -> _Compiled[M]:
        compiled = self.compiled.get(db.vendor)
        if compiled is None:
            compiled = self.compiled[db.vendor] = self._compile(params)
        return compiled

    @staticmethod
    def _instance(db: Any, compiled: _Compiled[M], row: Any) -> M:
        if compiled.converters:
            row = list(row)
            for position, (converters, expression) in compiled.converters.items():
                value = row[position]
                for convert in converters:
                    value = convert(value, expression, db)
                row[position] = value
        instance = compiled.model.from_db(db.alias, compiled.attnames, row[compiled.columns])
        for related in compiled.related:
            related.populate(row, instance)
        return instance

    def _compile(self, params: tuple[Any, ...]) -> _Compiled[M]:
        queryset = self.build(*params)
        compiler = queryset.query.get_compiler(connection.alias)
        sql, bound = compiler.as_sql()
        _check(bound, params)
        columns = [column for column, _, _ in compiler.select]
        klass_info = compiler.klass_info
        if klass_info is None or compiler.annotation_col_map or any(
            getattr(column, "target", None) is None for column in columns
        ):
            raise ValueError("a HotQuery selects columns of models only (its own and select_related's), no annotations")
        own = slice(klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1)
        if any(column.target.model is not queryset.model for column in columns[own]):
            raise ValueError("a HotQuery selects columns of its model first")
        attnames = [column.target.attname for column in columns[own]]
        # Fields left out (``defer``/``only``) load on first use, as the ORM's.
        return _Compiled(queryset.model, sql, attnames, own, compiler.get_converters(columns),
                         get_related_populators(klass_info, compiler.select, connection.alias))


def _check(bound: Any, params: tuple[Any, ...]) -> None:
    if list(bound) != list(params):
        raise ValueError(f"the query binds {list(bound)!r}, not the parameters given {list(params)!r}")


# (model, fields, rows, vendor) -> SQL of the hot writes below.
_write_sql: dict[tuple[Any, ...], str] = {}


def save_fields(instance: Model, *fields: str) -> None:
    """``instance.save(update_fields=fields)`` for the hot path: one UPDATE written once per model and fields.

    For rows that exist and models without save() overrides, signals or
    ``auto_now`` among ``fields``: what every caller on the hot path saves.
    """
    # The connection itself, not the proxy: each field's preparation asks it
    # for its operations, and each ask through the proxy is a context-local lookup.
    db = connections[DEFAULT_DB_ALIAS]
    meta = instance._meta
    key = (type(instance), fields, 1, db.vendor)
    sql = _write_sql.get(key)
    if sql is None:
        q = db.ops.quote_name
        columns = ", ".join(f"{q(meta.get_field(name).column)} = %s" for name in fields)
        sql = _write_sql[key] = f"UPDATE {q(meta.db_table)} SET {columns} WHERE {q(meta.pk.column)} = %s"
    params = []
    for name in fields:
        field = meta.get_field(name)
        params.append(field.get_db_prep_save(getattr(instance, field.attname), db))
    with db.cursor() as cursor:
        cursor.execute(sql, [*params, instance.pk])


def insert(instances: list[M], prepared: dict[str, list[Any]] | None = None, *, returning: bool = True) -> list[M]:
    """``bulk_create(instances)`` for the hot path: one INSERT ... RETURNING the ids, written once per row count.

    The instances get their ids and are saved as far as the ORM can tell.
    Defaults and ``auto_now_add`` are filled in as ``save()`` would; no
    signals (``bulk_create`` sends none either). ``prepared``: field name ->
    its database values, one per instance, already prepared by the caller
    (the journal's events arrive with their JSON encoded once).
    ``returning=False``: for rows nobody reads back by id (a betting
    action's), no ``RETURNING`` and the instances keep no id: on SQLite
    that is one step of the statement fewer, each step a release of the
    interpreter's lock the event loop may take.
    """
    if not instances:
        return instances
    db = connections[DEFAULT_DB_ALIAS]
    model = type(instances[0])
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    key = (model, returning, len(instances), db.vendor)
    sql = _write_sql.get(key)
    if sql is None:
        q = db.ops.quote_name
        row = f"({', '.join(['%s'] * len(fields))})"
        sql = _write_sql[key] = (
            f"INSERT INTO {q(meta.db_table)} ({', '.join(q(field.column) for field in fields)}) "
            f"VALUES {', '.join([row] * len(instances))}" + (f" RETURNING {q(meta.pk.column)}" if returning else "")
        )
    if prepared:
        given = [prepared.get(field.name) for field in fields]
        params = [field.get_db_prep_save(field.pre_save(instance, True), db) if values is None else values[row]
                  for row, instance in enumerate(instances) for field, values in zip(fields, given, strict=True)]
    else:
        params = [field.get_db_prep_save(field.pre_save(instance, True), db)
                  for instance in instances for field in fields]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            for instance, (pk,) in zip(instances, cursor.fetchall(), strict=True):
                instance.pk = pk
    for instance in instances:
        instance._state.adding = False
        instance._state.db = db.alias
    return instances


def update_each(model: type[Model], field: str, key: str, values: dict[Any, Any], **where: Any) -> None:
    """``field`` set row by row from ``values`` (``key`` value -> new value), for the rows ``where`` names too.

    ``bulk_update`` for the hot path: one ``UPDATE ... SET field = CASE key
    WHEN ... END WHERE key IN (...) AND ...``, written once per model, fields
    and row count. ``where`` holds exact matches on columns (``hand_id=7``).
    """
    if not values:
        return
    db = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    target, by = meta.get_field(field), meta.get_field(key)
    filters = tuple(sorted(where))
    cache = (model, field, key, len(values), filters, db.vendor)
    sql = _write_sql.get(cache)
    if sql is None:
        q = db.ops.quote_name
        case = f"CASE {q(by.column)} {' '.join(['WHEN %s THEN %s'] * len(values))} END"
        if db.features.requires_casted_case_in_updates:
            case = f"CAST({case} AS {target.cast_db_type(db)})"
        conditions = [f"{q(by.column)} IN ({', '.join(['%s'] * len(values))})"]
        conditions += [f"{q(meta.get_field(name).column)} = %s" for name in filters]
        sql = _write_sql[cache] = (
            f"UPDATE {q(meta.db_table)} SET {q(target.column)} = {case} WHERE {' AND '.join(conditions)}"
        )
    keys = [by.get_db_prep_value(k, db) for k in values]
    params: list[Any] = []
    for k, value in zip(keys, values.values(), strict=True):
        params += [k, target.get_db_prep_save(value, db)]
    params += keys
    params += [meta.get_field(name).get_db_prep_value(where[name], db) for name in filters]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
