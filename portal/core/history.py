"""The audit trail in plain language.

pghistory's triggers write an append-only event row for every insert and
update of a tracked model, with the context (user, URL, reason, task) of the
request or task that made it. This module turns those rows into sentences a
project lead can read: who, when, which field, from what to what.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.core.paginator import Page
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from pghistory.models import Events

from .history_filters import BOOKKEEPING_FIELDS, HistoryFilterForm, tracked_kinds
from .history_scope import events_by_ids, project_event_models, project_scoped_events
from .views_helpers import paginate

# Bookkeeping columns nobody needs to read about.
HIDDEN_FIELDS = frozenset(BOOKKEEPING_FIELDS)


@dataclass(frozen=True)
class HistoryKind:
    """How an app names its tracked records in the history (filled from its AppConfig.ready()).

    `label`: the kind, plural ("Red flags"); `headline(data, created)`: the entry's opening words
    ("Flag raised: Action item overdue"); None gives "<Record> created" / "<Record> changed".
    """

    label: str
    headline: Callable[[dict, bool], str] | None = None


_KINDS: dict[str, HistoryKind] = {}
_REASONS: dict[str, str] = {}


def register_history_kind(model_label: str, label: str, headline=None) -> None:
    _KINDS[model_label] = HistoryKind(label, headline)


def register_reason_labels(labels: dict[str, str]) -> None:
    """Audit reasons written as codes by older versions ("Monitoring rule: action_item_overdue"),
    and the words to show instead."""
    _REASONS.update(labels)


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    when: datetime
    actor: str
    action: str
    subject: str
    reason: str = ""
    changes: list[FieldChange] = field(default_factory=list)
    headline: str = ""

    @property
    def sentence(self) -> str:
        """ "Milestone changed: forecast date", "Meeting changed: status, minutes sent at and
        minutes sent by", "Flag raised: Action item overdue"."""
        if self.changes:
            labels = [change.label[:1].lower() + change.label[1:] for change in self.changes]
            fields = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"
            return f"{self.headline}: {fields}"
        return self.headline


def _tracked_model(event_label: str) -> type[models.Model] | None:
    try:
        event_model = apps.get_model(event_label)
    except LookupError:
        return None
    return getattr(event_model, "pgh_tracked_model", None)


def _sponsor_hidden_models() -> list[str]:
    """Event models whose every row is CDMO-internal (the tracked model says so)."""
    labels = []
    for model in apps.get_models():
        tracked = getattr(model, "pgh_tracked_model", None)
        if tracked is not None and getattr(tracked, "HISTORY_CDMO_ONLY", False):
            labels.append(model._meta.label)
    return labels


def history_events(*, obj: models.Model, sees_internal: bool):
    """Events of `obj` and of every tracked row that references it, newest first."""
    events = Events.objects.references(obj).order_by("-pgh_created_at", "-pgh_id")
    if not sees_internal:
        events = events.exclude(pgh_model__in=_sponsor_hidden_models()).exclude(
            pgh_data__contains={"is_internal": True}
        )
    return events


def project_events(*, project, sees_internal: bool, light: bool = False):
    """The project's events as its History tab lists them (and the audit export exports them):
    every event of every row that belongs to the project, however far from it (the paths the apps
    registered, `history_scope`), internal ones only for the CDMO, bookkeeping-only updates left
    out; newest first. One query. `light`: without their data and diff (to count and page)."""
    return project_scoped_events(project=project, sees_internal=sees_internal, light=light).order_by(
        "-pgh_created_at", "-pgh_id"
    )


def history_people(events) -> list[tuple[int, str]]:
    """Everyone who appears as the author of one of `events`, by name: two queries."""
    ids = {
        int(value)
        for value in events.order_by().values_list("pgh_context__user", flat=True).distinct()
        if value is not None and str(value).isdigit()
    }
    User = apps.get_model("accounts", "User")
    return [(user.pk, str(user)) for user in sorted(User.objects.filter(pk__in=ids), key=str)]


def project_history_page(*, request, project, access) -> tuple[Page, HistoryFilterForm]:
    """The requested page of the project's history, filtered by the GET form; (page, form)."""
    events = project_events(project=project, sees_internal=access.sees_internal, light=True)
    form = HistoryFilterForm(
        request.GET,
        kinds=tracked_kinds(
            project_event_models(sees_internal=access.sees_internal),
            labels={k: v.label for k, v in _KINDS.items()},
        ),
        people=history_people(events),
    )
    # Counted and paged on the light columns; only the page's 30 events are read in full.
    page = paginate(request, form.apply(events).values_list("pgh_model", "pgh_id"), per_page=30)
    page.object_list = describe_events(events_by_ids(list(page.object_list)))
    return page, form


def _user_columns(model) -> list[str]:
    if model is None:
        return []
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model._meta.label == "accounts.User"
    ]


def describe_events(events: list) -> list[HistoryEntry]:
    """Plain-language entries for a page of events, with every name loaded in one query."""
    user_ids: set[int] = set()
    for event in events:
        context = event.pgh_context or {}
        if context.get("user"):
            user_ids.add(int(context["user"]))
        data, diff = event.pgh_data or {}, event.pgh_diff or {}
        for column in _user_columns(_tracked_model(event.pgh_model)):
            if data.get(column):
                user_ids.add(int(data[column]))
            user_ids.update(int(v) for v in diff.get(column) or [] if v)
    User = apps.get_model("accounts", "User")
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)}
    return [_describe(event, names) for event in events]


def _actor(context: dict, names: dict[int, str]) -> str:
    if context.get("user"):
        return names.get(int(context["user"]), "A former user")
    actor = str(context.get("actor", ""))
    if actor.startswith("task:"):
        return "Portal monitoring"
    if actor.startswith("demo:"):
        return "Demo data loader"
    return "System"


def _subject(model: type[models.Model] | None, data: dict, names: dict[int, str]) -> str:
    if model is None:
        return "Record"
    name = str(model._meta.verbose_name).capitalize()
    for key in ("title", "name", "code", "summary", "explanation", "label", "original_name", "guest_name"):
        if data.get(key):
            text = str(data[key])
            return f"{name} {text}" if text.startswith(("“", '"')) else f"{name} “{text}”"
    if data.get("user_id"):
        return f"{name}: {names.get(data['user_id'], 'someone')}"
    return name


def _display(model_field: models.Field | None, value, names: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if model_field is None:
        return str(value)
    if isinstance(model_field, models.ForeignKey):
        if model_field.related_model._meta.label == "accounts.User":
            return names.get(int(value), f"#{value}")
        return f"#{value}"
    base_field = getattr(model_field, "base_field", None)
    if isinstance(value, list) and base_field is not None and base_field.choices:
        labels = dict(base_field.choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return "yes" if value else "no"
    if isinstance(model_field, models.DateTimeField):
        parsed = parse_datetime(str(value))
        if parsed:
            return timezone.localtime(parsed).strftime("%d %b %Y %H:%M")
    if isinstance(model_field, models.DateField):
        parsed = value if isinstance(value, date) else parse_date(str(value))
        if parsed:
            return parsed.strftime("%d %b %Y")
    text = str(value)
    return text if len(text) <= 140 else text[:137] + "…"


def _field(model, name: str) -> models.Field | None:
    if model is None:
        return None
    for candidate in model._meta.concrete_fields:
        if candidate.attname == name or candidate.name == name:
            return candidate
    return None


def _headline(model, data: dict, created: bool) -> str:
    kind = _KINDS.get(model._meta.label) if model is not None else None
    if kind is not None and kind.headline is not None:
        return kind.headline(data, created)
    name = str(model._meta.verbose_name).capitalize() if model is not None else "Record"
    return f"{name} {'created' if created else 'changed'}"


def _reason(context: dict) -> str:
    reason = str(context.get("reason", ""))
    return _REASONS.get(reason, reason)


def _describe(event, names: dict[int, str]) -> HistoryEntry:
    model = _tracked_model(event.pgh_model)
    data = event.pgh_data or {}
    context = event.pgh_context or {}
    created = event.pgh_label == "insert"
    changes = []
    if not created:
        for name, pair in (event.pgh_diff or {}).items():
            if name in HIDDEN_FIELDS or name.startswith("pgh_"):
                continue
            model_field = _field(model, name)
            label = str(model_field.verbose_name) if model_field else name.replace("_", " ")
            changes.append(
                FieldChange(
                    label=label.capitalize(),
                    before=_display(model_field, pair[0], names),
                    after=_display(model_field, pair[1], names),
                )
            )
    return HistoryEntry(
        when=event.pgh_created_at,
        actor=_actor(context, names),
        action="created" if created else "changed",
        subject=_subject(model, data, names),
        reason=_reason(context),
        changes=changes,
        headline=_headline(model, data, created),
    )
