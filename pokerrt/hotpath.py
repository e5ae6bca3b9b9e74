"""Queries on the hot path, compiled by the ORM once per process and run raw after that.

A betting action runs the same few lookups every time (lock the table, the
hand in play, the player's seat). Building a QuerySet and compiling its SQL
costs more CPU than SQLite takes to answer it, so each :class:`HotQuery`
asks the ORM for its SQL once, on first use, and afterwards only binds new
parameters. The ORM still writes the SQL (quoting, FOR UPDATE where the
database has it, the columns of every concrete field), and still builds the
instances from the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


class HotQuery(Generic[M]):
    """``HotQuery(lambda pk: Table.objects.filter(pk=pk)[:1]).first(17)``.

    ``build(*params)`` must return a query whose SQL parameters are exactly
    ``params``, in order: checked when it is compiled, so a query whose
    parameters do not line up fails loudly instead of binding the wrong values.
    """

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self.build = build
        # vendor -> (model, SQL): one process may serve one database only, but
        # the test suite switches between them.
        self.compiled: dict[str, tuple[type[M], str]] = {}

    def first(self, *params: Any) -> M | None:
        compiled = self.compiled.get(connection.vendor)
        if compiled is None:
            queryset = self.build(*params)
            sql, bound = queryset.query.sql_with_params()
            if list(bound) != list(params):
                raise ValueError(f"the query binds {list(bound)!r}, not the parameters given {list(params)!r}")
            compiled = self.compiled[connection.vendor] = (queryset.model, sql)
        model, sql = compiled
        for instance in model.objects.raw(sql, params):
            return instance
        return None
