"""Which tracked rows belong to a project, and one query for all their events.

pghistory's `Events.objects.references(project)` finds the rows with a foreign key straight to
the project; a resolution plan (→ issue → project), a meeting's decisions or an update's comments
are one step further away. Each app declares, from its `AppConfig.ready()`, the lookup path from
each of its tracked models to the project (`portal.core` does not know the apps):

    register_project_path("issues.ResolutionPlan", "issue__project")
    register_project_path("projects.Project", "")  # the project itself

`project_scoped_events` then reads every registered event table in one UNION ALL, each branch
narrowed in its own WHERE: `_event.project_id = <id>` for a direct key, or
`_event.issue_id IN (SELECT id FROM issues_serviceissue WHERE project_id = <id>)` for a longer
path. The first step is taken on the event row itself (an event keeps the foreign keys its row had),
so events stay findable whatever became of the row. Sponsor-hidden rows are dropped inside each
branch: CDMO-only kinds leave the UNION, rows with `is_internal` set are filtered out.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection
from pghistory.models import Events, EventsQuery, EventsQueryCompiler, EventsQuerySet

from .history_filters import BOOKKEEPING_FIELDS

_PATHS: dict[str, str] = {}


def register_project_path(model_label: str, path: str) -> None:
    """`model_label`'s rows belong to the project reached by the lookup `path` ("" for a project)."""
    _PATHS[model_label] = path


def project_paths() -> dict[str, str]:
    return dict(_PATHS)


def project_event_models(*, sees_internal: bool) -> dict:
    """{event model: path to the project} for every registered tracked model the viewer may see."""
    models = {}
    for model in apps.get_models():
        tracked = getattr(model, "pgh_tracked_model", None)
        if tracked is None or tracked._meta.label not in _PATHS:
            continue
        if not sees_internal and getattr(tracked, "HISTORY_CDMO_ONLY", False):
            continue
        models[model] = _PATHS[tracked._meta.label]
    return models


def _inline(sql: str, params: list) -> str:
    """`sql` with its values inlined (mogrified) and `%` doubled for the outer query's params."""
    with connection.cursor() as cursor:
        text = cursor.mogrify(sql, params)
    if isinstance(text, bytes):  # pragma: no cover - psycopg2
        text = text.decode()
    return text.replace("%", "%%")


def _news_sql(event_model) -> str:
    """An update is news unless every column but the bookkeeping ones equals the row's previous
    event (compared on the raw columns: cheap, where pghistory's JSON diff costs ~1 ms a row). An
    update without a previous event is the row's first record (a status update is first recorded
    when it is published): news."""
    columns = [
        f.column
        for f in event_model._meta.concrete_fields
        if not f.name.startswith("pgh_")
        and f.name not in BOOKKEEPING_FIELDS
        and f.attname not in BOOKKEEPING_FIELDS
    ]
    if not columns:
        return "_event.pgh_label <> 'update'"
    row = ", ".join(f'"{c}"' for c in columns)
    before = ", ".join(f'_prev."{c}"' for c in columns)
    now = ", ".join(f'_event."{c}"' for c in columns)
    return (
        f"(_event.pgh_label <> 'update' OR NOT EXISTS (SELECT 1 FROM (SELECT {row} "
        f'FROM "{event_model._meta.db_table}" _prev WHERE _prev.pgh_obj_id = _event.pgh_obj_id '
        "AND _prev.pgh_id < _event.pgh_id ORDER BY _prev.pgh_id DESC LIMIT 1) _prev "
        f"WHERE ROW({before}) IS NOT DISTINCT FROM ROW({now})))"
    )


def _scope_sql(event_model, path: str, project, sees_internal: bool) -> str:
    """The WHERE of one branch: the rows of `project`, news only, internal ones for the CDMO."""
    first, _, rest = path.partition("__")
    if not first:
        sql, params = "_event.pgh_obj_id = %s", [project.pk]
    elif not rest:
        sql, params = f"_event.{event_model._meta.get_field(first).column} = %s", [project.pk]
    else:
        field = event_model._meta.get_field(first)
        parents = field.related_model._base_manager.filter(**{rest: project}).values("pk")
        inner, params = parents.query.sql_with_params()
        sql = f"_event.{field.column} IN ({inner})"
    if not sees_internal and any(f.name == "is_internal" for f in event_model._meta.concrete_fields):
        sql += " AND NOT _event.is_internal"
    return _inline(sql, params) + " AND " + _news_sql(event_model)


class ProjectEventsCompiler(EventsQueryCompiler):
    @property
    def across(self):
        return list(self.query.scopes)

    def _get_where_clause(self, event_model):
        return "WHERE " + self.query.scopes[event_model]

    def _get_select(self, event_model):
        """pghistory's select, or (light) the same columns without `pgh_data` and `pgh_diff`:
        their JSON expressions, planned in every branch, cost more than running the query."""
        if not self.query.light:
            return super()._get_select(event_model)
        extra_columns, context, context_id, context_join, _annotated = self._get_context_clauses(event_model)
        assert not extra_columns, "light events have no proxy fields"
        label, tracked = event_model._meta.label, event_model.pgh_tracked_model._meta.label
        return f"""
            SELECT CONCAT('{label}', ':', _event.pgh_id) AS pgh_slug, _event.pgh_id,
              _event.pgh_created_at, _event.pgh_label, _event.pgh_obj_id::TEXT AS pgh_obj_id,
              '{label}' AS pgh_model, '{tracked}' AS pgh_obj_model, NULL::JSONB AS pgh_data,
              NULL::JSONB AS pgh_diff, {context_id}, {context}
            FROM "{event_model._meta.db_table}" _event
            {context_join}
            {self._get_where_clause(event_model)}
        """


class ProjectEventsQuery(EventsQuery):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes = {}
        self.light = False

    def get_compiler(self, *args, **kwargs):
        compiler = super().get_compiler(*args, **kwargs)
        compiler.__class__ = ProjectEventsCompiler
        return compiler

    def chain(self, klass=None):
        clone = super().chain(klass)
        clone.scopes, clone.light = self.scopes, self.light
        return clone


def _scoped(scopes: dict, *, light: bool = False):
    events = EventsQuerySet(Events, query=ProjectEventsQuery(Events))
    events.query.scopes, events.query.light = scopes, light
    return events


def project_scoped_events(*, project, sees_internal: bool, light: bool = False):
    """Every event of every row that belongs to `project` (as registered) but updates that
    changed only bookkeeping; internal ones only if `sees_internal`. One query, unordered.

    `light`: without `pgh_data` and `pgh_diff` (None), whose JSON is costly to plan and build:
    count, filter and page those, then read the page's events with `events_by_ids`."""
    return _scoped(
        {
            model: _scope_sql(model, path, project, sees_internal)
            for model, path in project_event_models(sees_internal=sees_internal).items()
        },
        light=light,
    )


def events_by_ids(pairs) -> list:
    """The events `pairs` ([(event model label, pgh_id)]) name, in that order: one query."""
    wanted: dict = {}
    for label, pk in pairs:
        wanted.setdefault(apps.get_model(label), []).append(int(pk))
    scopes = {model: _inline("_event.pgh_id = ANY(%s)", [ids]) for model, ids in wanted.items()}
    found = {(e.pgh_model, e.pgh_id): e for e in _scoped(scopes)} if scopes else {}
    return [found[(label, int(pk))] for label, pk in pairs if (label, int(pk)) in found]
