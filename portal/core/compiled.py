"""Reads whose SQL the ORM compiles once per process, run with each call's values.

Building and compiling a small queryset costs the web process about ten times what running its
SQL does (0.6-1.5 ms of Python against ~0.1 ms for a panel of the project overview). A page that
makes the same reads on every request declares each as a `CompiledRead`: the queryset is built
once, with a stand-in for each value that changes between calls, and compiled to SQL; every call
then runs that SQL with its own values and makes models of the rows as `Model.objects.raw()`
does. Rows are read fresh each time; only the text of the SQL is reused. `read_together` sends
several reads in one round trip (a page's panels).

    next_milestones = CompiledRead(
        lambda project_id: Milestone.objects.filter(project_id=project_id).order_by("forecast_date")[:5],
        project_id=int,
    )
    next_milestones(project_id=project.pk)  # a list of Milestone

What the queryset may be: the same SQL whatever the values, so filter on them by equality or
comparison (never with None, an empty list or a value that picks another lookup), and keep the
active time zone out of it (no `__date` lookups or Trunc: their SQL names the zone). A read
makes one model per row: the selected fields are loaded (the rest deferred), each annotation
becomes an attribute; `select_related` does not survive, so annotate the related columns shown
(`organizer_name=F("organizer__full_name")`). Compiling checks that every stand-in reached the
SQL's parameters and none was written into its text; it raises otherwise.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet

# Stand-ins no real call passes: far outside any id sequence, a moment long before the portal.
_STAND_INS: dict[type, Callable[[int], Any]] = {
    int: lambda n: 7_300_000_000_000_000_000 + n,
    datetime.datetime: lambda n: datetime.datetime(1901, 2, 3, 4, 5, 6, n, tzinfo=datetime.UTC),
    str: lambda n: f"compiled-read-stand-in-{n}",
}
_numbers = itertools.count(1)


class CompiledRead:
    """`build(**values)` compiled once per database; calling it runs the SQL with `values`.

    Declare each value's type as a keyword argument (`project_id=int`); int, datetime and str."""

    def __init__(self, build: Callable[..., QuerySet], **types: type):
        unknown = [name for name, kind in types.items() if kind not in _STAND_INS]
        if unknown:
            raise TypeError(f"No stand-in for the type of {', '.join(unknown)}.")
        self._build = build
        self._types = types
        self._compiled: dict[str, tuple[type[Model], str, list[tuple[bool, Any]]]] = {}

    def __call__(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list:
        return read_together([(self, values)], using=using)[0]

    def statement(self, values: dict[str, Any], using: str) -> tuple[type[Model], str, list]:
        """The model, the SQL and its parameters for `values`."""
        if values.keys() != self._types.keys():
            raise TypeError(f"Expected the values {sorted(self._types)}, got {sorted(values)}.")
        if using not in self._compiled:
            self._compiled[using] = self._compile(using)
        model, sql, slots = self._compiled[using]
        return model, sql, [values[part] if is_value else part for is_value, part in slots]

    def _compile(self, using: str) -> tuple[type[Model], str, list[tuple[bool, Any]]]:
        stand_ins = {name: _STAND_INS[kind](next(_numbers)) for name, kind in self._types.items()}
        queryset = self._build(**stand_ins)
        sql, params = queryset.query.get_compiler(using).as_sql()
        names = {(type(value), value): name for name, value in stand_ins.items()}
        slots = [
            (True, names[(type(param), param)]) if (type(param), param) in names else (False, param)
            for param in params
        ]
        missing = set(stand_ins) - {part for is_value, part in slots if is_value}
        written = [name for name, value in stand_ins.items() if str(value) in sql]
        if missing or written:
            raise ValueError(
                f"The SQL of {self._build!r} does not take {sorted(missing | set(written))} as parameters."
            )
        return queryset.model, sql, slots


def read_together(
    calls: Iterable[tuple[CompiledRead, dict[str, Any]]], *, using: str = DEFAULT_DB_ALIAS
) -> list[list]:
    """The rows of each (read, values), the reads sent as one list of statements: one round trip.

    Several statements in one go need client-side binding, Django's default with psycopg 3."""
    statements = [read.statement(values, using) for read, values in calls]
    if not statements:
        return []
    results = []
    with connections[using].cursor() as cursor:
        cursor.execute(
            ";\n".join(sql for _, sql, _ in statements), [p for *_, params in statements for p in params]
        )
        for index, (model, _, _) in enumerate(statements):
            if index:
                cursor.nextset()
            columns = [column.name for column in cursor.description]
            results.append(_models(model, columns, cursor.fetchall(), using))
    return results


def _models(model: type[Model], columns: list[str], rows: list[tuple], using: str) -> list:
    """Rows as `Model.objects.raw()` makes them: the model's columns loaded (in the model's field
    order, the rest deferred), every other column an attribute."""
    fields = model._meta.concrete_fields
    by_column = {field.column: field for field in fields}
    loaded = sorted(
        ((index, by_column[column]) for index, column in enumerate(columns) if column in by_column),
        key=lambda pair: fields.index(pair[1]),
    )
    names = [field.attname for _, field in loaded]
    extra = [(index, column) for index, column in enumerate(columns) if column not in by_column]
    converters = [
        (position, field.from_db_value)
        for position, (_, field) in enumerate(loaded)
        if hasattr(field, "from_db_value")
    ]
    connection = connections[using]
    objects = []
    for row in rows:
        values = [row[index] for index, _ in loaded]
        for position, convert in converters:
            values[position] = convert(values[position], None, connection)
        instance = model.from_db(using, names, values)
        for index, column in extra:
            setattr(instance, column, row[index])
        objects.append(instance)
    return objects
