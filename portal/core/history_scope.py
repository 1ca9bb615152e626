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


def _scope_sql(event_model, path: str, project, sees_internal: bool) -> str:
    """The WHERE of one branch, values inlined (mogrified), `%` doubled for the outer query."""
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
    with connection.cursor() as cursor:
        text = cursor.mogrify(sql, params)
    if isinstance(text, bytes):  # pragma: no cover - psycopg2
        text = text.decode()
    return text.replace("%", "%%")


class ProjectEventsCompiler(EventsQueryCompiler):
    @property
    def across(self):
        return list(self.query.scopes)

    def _get_where_clause(self, event_model):
        return "WHERE " + self.query.scopes[event_model]


class ProjectEventsQuery(EventsQuery):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes = {}

    def get_compiler(self, *args, **kwargs):
        compiler = super().get_compiler(*args, **kwargs)
        compiler.__class__ = ProjectEventsCompiler
        return compiler

    def chain(self, klass=None):
        clone = super().chain(klass)
        clone.scopes = self.scopes
        return clone


def project_scoped_events(*, project, sees_internal: bool):
    """Every event of every row that belongs to `project` (as registered), one query, unordered."""
    events = EventsQuerySet(Events, query=ProjectEventsQuery(Events))
    events.query.scopes = {
        model: _scope_sql(model, path, project, sees_internal)
        for model, path in project_event_models(sees_internal=sees_internal).items()
    }
    return events
