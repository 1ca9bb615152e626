"""Reads whose SQL the ORM compiles once per process, run with each call's values.

Building and compiling a small queryset costs the web process about ten times what running its
SQL does (0.6-1.5 ms of Python against ~0.1 ms for a panel of the project overview). A page that
makes the same reads on every request declares each as a `CompiledRead`: the queryset is built
once, with a stand-in for each value that changes between calls, and compiled to SQL; every call
then runs that SQL with its own values and makes models of the rows as iterating the queryset
does (its selected fields loaded, the rest deferred; each annotation an attribute;
`select_related` objects made and cached on the row). Rows are read fresh each time; only the
text of the SQL is reused. `read_together` sends several reads in one round trip (a page's
panels).

    next_milestones = CompiledRead(
        lambda project_id: Milestone.objects.filter(project_id=project_id).order_by("forecast_date")[:5],
        project_id=int,
    )
    next_milestones(project_id=project.pk)  # a list of Milestone

What the queryset may be: the same SQL whatever the values, so filter on them by equality or
comparison (never with None, an empty list or a value that picks another lookup), never branch
on them in Python (the stand-in would pick the branch for every call), and keep the active time
zone out of it (no `__date` lookups or Trunc: their SQL names the zone). A value that does change
the shape of the query is `fixed`: the build gets it as it is and the SQL is compiled once for
each value it takes (keep those few: a role, a flag). A queryset that can select nothing
(`.none()`) reads no rows without asking the database. No `prefetch_related`, `values()` or
`values_list()`: a read makes models. Compiling checks that every stand-in reached the SQL's
parameters as it was, and none was written into its text; it raises otherwise (`optional` names
the values some fixed values' queries do not need).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators

# Stand-ins no real call passes: far outside any id sequence, a moment long before the portal.
_INT_BASE = 7_300_000_000_000_000_000
_STAND_INS: dict[type, Callable[[int], Any]] = {
    int: lambda n: _INT_BASE + n,
    datetime.datetime: lambda n: datetime.datetime(1901, 2, 3, 4, 5, 6, n, tzinfo=datetime.UTC),
    str: lambda n: f"compiled-read-stand-in-{n}",
}
_numbers = itertools.count(1)


def _looks_like_a_stand_in(param: Any) -> bool:
    """A parameter made from a stand-in (a lookup wrapped it, arithmetic moved it)."""
    if isinstance(param, int) and not isinstance(param, bool):
        return abs(param - _INT_BASE) < 1_000_000_000
    if isinstance(param, datetime.date):
        return param.year == 1901
    return isinstance(param, str) and "compiled-read-stand-in" in param


@dataclass(frozen=True)
class _Compiled:
    """One compiled read: its SQL, where each call's values go, and how rows become models (the
    steps of Django's ModelIterable, worked out once)."""

    sql: str
    slots: list[tuple[bool, Any]]  # (True, value name) or (False, a constant parameter)
    model: type[Model]
    init_list: list[str]
    fields: slice
    related: list
    annotations: list[tuple[str, int]]
    converters: list[tuple[int, list, Any]]


class CompiledRead:
    """`build(**values)` compiled once per database (and fixed values); calling it runs the SQL
    with `values`.

    Declare each value's type as a keyword argument (`project_id=int`; int, datetime and str),
    the names of the values that shape the query in `fixed`, those some shapes leave out in
    `optional`."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        fixed: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
        **types: type,
    ):
        unknown = [name for name, kind in types.items() if kind not in _STAND_INS]
        if unknown:
            raise TypeError(f"No stand-in for the type of {', '.join(unknown)}.")
        self._build = build
        self._types = types
        self._fixed = fixed
        self._optional = frozenset(optional)
        self._names = frozenset(types) | frozenset(fixed)
        self._compiled: dict[tuple, _Compiled | None] = {}

    def __call__(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list:
        return read_together([(self, values)], using=using)[0]

    def statement(self, values: dict[str, Any], using: str) -> tuple[_Compiled, list] | None:
        """The compiled read and its parameters for `values`; None when it can select nothing."""
        if values.keys() != self._names:
            raise TypeError(f"Expected the values {sorted(self._names)}, got {sorted(values)}.")
        key = (using, *(values[name] for name in self._fixed))
        if key not in self._compiled:
            self._compiled[key] = self._compile(using, {name: values[name] for name in self._fixed})
        compiled = self._compiled[key]
        if compiled is None:
            return None
        return compiled, [values[part] if is_value else part for is_value, part in compiled.slots]

    def _compile(self, using: str, fixed: dict[str, Any]) -> _Compiled | None:
        stand_ins = {name: _STAND_INS[kind](next(_numbers)) for name, kind in self._types.items()}
        queryset = self._build(**stand_ins, **fixed)
        if queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups:
            raise TypeError(f"{self._build!r} must make models, without prefetch_related.")
        compiler = queryset.query.get_compiler(using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        names = {(type(value), value): name for name, value in stand_ins.items()}
        slots = [
            (True, names[(type(param), param)]) if (type(param), param) in names else (False, param)
            for param in params
        ]
        missing = set(stand_ins) - self._optional - {part for is_value, part in slots if is_value}
        changed = [param for is_value, param in slots if not is_value and _looks_like_a_stand_in(param)]
        written = [name for name, value in stand_ins.items() if str(value) in sql]
        if missing or changed or written:
            raise ValueError(
                f"The SQL of {self._build!r} does not take {sorted(missing | set(written))} "
                f"as parameters{f' (it takes {changed})' if changed else ''}."
            )
        return _models_of(compiler, sql, slots, using)


def _models_of(compiler, sql: str, slots: list, using: str) -> _Compiled:
    """How ModelIterable makes models of the rows of `compiler`'s SQL (compiled just now)."""
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    columns = [column for column, *_ in select[: compiler.col_count]]
    return _Compiled(
        sql=sql,
        slots=slots,
        model=klass_info["model"],
        init_list=[column.target.attname for column, *_ in select[fields[0] : fields[-1] + 1]],
        fields=slice(fields[0], fields[-1] + 1),
        related=get_related_populators(klass_info, select, using),
        annotations=list(compiler.annotation_col_map.items()),
        converters=[
            (position, functions, expression)
            for position, (functions, expression) in compiler.get_converters(columns).items()
        ],
    )


def read_together(
    calls: Iterable[tuple[CompiledRead, dict[str, Any]]], *, using: str = DEFAULT_DB_ALIAS
) -> list[list]:
    """The rows of each (read, values), the reads sent as one list of statements: one round trip
    (none when every read can select nothing).

    Several statements in one go need client-side binding, Django's default with psycopg 3 (3.2
    or later: results are picked with `set_result`)."""
    statements = [read.statement(values, using) for read, values in calls]
    sent = [statement for statement in statements if statement is not None]
    if not sent:
        return [[] for _ in statements]
    rows = []
    with connections[using].cursor() as cursor:
        cursor.execute(
            ";\n".join(compiled.sql for compiled, _ in sent), [p for _, params in sent for p in params]
        )
        # Counted from the last result: a wrapper may have put a statement first (pghistory's
        # context, on a request that writes) and moved on to the end.
        for index, (compiled, _) in enumerate(sent, start=-len(sent)):
            cursor.set_result(index)
            rows.append(_models(compiled, cursor.fetchall(), using))
    fetched = iter(rows)
    return [[] if statement is None else next(fetched) for statement in statements]


def _models(compiled: _Compiled, rows: list[tuple], using: str) -> list:
    """A model for each row, as iterating the compiled queryset would have made it."""
    connection = connections[using]
    objects = []
    for row in rows:
        if compiled.converters:
            row = list(row)
            for position, functions, expression in compiled.converters:
                value = row[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[position] = value
        instance = compiled.model.from_db(using, compiled.init_list, row[compiled.fields])
        for populator in compiled.related:
            populator.populate(row, instance)
        for name, position in compiled.annotations:
            setattr(instance, name, row[position])
        objects.append(instance)
    return objects
