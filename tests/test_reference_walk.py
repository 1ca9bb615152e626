"""Replay every object reference the portal's pages emit with objects the viewer must not see.

The outsider walk covers object ids in URL paths; this walk covers the ids that travel
in query strings and form fields. As people on a project's team it opens every route
(found the way the outsider walk finds them, so a new route or form is covered without
editing this file), collects what the pages emit — link query strings (`?target=label:id`,
`?project=<id>`), hidden fields carrying ids, `<select>`/checkbox options (ModelChoiceFields)
and `next` fields — and sends each one back with the ids of objects the viewer may not see:
another tenant's objects and, for the sponsor, the CDMO's drafts, discarded drafts and
internal notes of the same project. The answer must be a 404 or a form error, never the
object's content, never a write that copies it, never a 500, and `next` never leaves the site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.apps import apps
from django.core import mail
from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from issues.models import IssueStatus
from projects.models import Project, ProjectMember, TeamRole, UpdateStatus
from projects.references import registered_labels
from tests.factories.issues import ServiceIssueFactory
from tests.factories.organizations import CDMOFactory, SponsorFactory
from tests.factories.projects import StatusUpdateFactory, UpdateCommentFactory
from tests.http import text

from .test_outsider_walk import OUR_MODULES, _belongs_to, _kwargs_for, our_routes
from .world import populate_everything

FOREIGN = "OTHER-TENANT-8842"
DRAFT = "CDMO-DRAFT-SECRET-5511"
DISCARDED = "CDMO-DISCARDED-SECRET-5512"
INTERNAL = "CDMO-INTERNAL-SECRET-5513"
SPONSOR_HIDDEN = (DRAFT, DISCARDED, INTERNAL)  # the CDMO's own work: hidden from the sponsor only
# Text fields stamped with the marker on every object of the foreign tenant's world.
STAMPED_FIELDS = ("title", "name", "body", "description", "summary", "note", "full_name", "text", "code")
LABEL_REF = re.compile(r"^[a-z_]+\.[a-z_]+:\d+$")
HOSTILE_NEXT = ("https://evil.example/phish", "//evil.example/phish", "/\\evil.example/phish")
SKIPPED_PARAMS = {"page", "csrfmiddlewaretoken"}
MAX_PAGES = 400


@dataclass(frozen=True)
class Forbidden:
    label: str
    pk: int


# Pages --------------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: list[list] = field(default_factory=list)  # [name, value, kind, options]


class PageParser(HTMLParser):
    """Links with query strings and forms with their fields, as a browser would submit them."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.links: list[str] = []
        self.followed: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: list | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        for attr in ("href", "hx-get"):
            if "?" in a.get(attr, ""):
                self.links.append(a[attr])
            if a.get(attr, "").startswith("/"):
                self.followed.append(a[attr])
        if tag == "form":
            method = (a.get("method") or "get").lower()
            self._form = Form(method=method, action=a.get("action") or a.get("hx-post") or self.page_url)
            self.forms.append(self._form)
        elif self._form is None or not a.get("name") and tag != "option":
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                self._form.fields.append([a["name"], a.get("value", "on"), kind, []])
                if "checked" not in a:
                    self._form.fields[-1][1] = None  # offered, not sent unless chosen
            elif kind not in {"submit", "button", "file", "reset", "image"}:
                self._form.fields.append([a["name"], a.get("value", ""), kind, []])
        elif tag == "select":
            self._select = [a["name"], None, "select", []]
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[3].append(value)
            if "selected" in a or self._select[1] is None:
                self._select[1] = value
        elif tag == "textarea":
            self._textarea = [a["name"], "", "textarea", []]
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _ours(url: str) -> bool:
    path = urlsplit(url).path
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return getattr(match.func, "__module__", "").startswith(OUR_MODULES)


# The world ----------------------------------------------------------------------------


def _stamp_foreign_world(project: Project) -> None:
    """Every object of the foreign project carries FOREIGN in its text, so a leak shows."""
    for model in apps.get_models():
        if not model.__module__.startswith(OUR_MODULES):
            continue
        try:
            rows = list(_belongs_to(model, project).values_list("pk", flat=True))
        except AssertionError:
            continue
        for name in STAMPED_FIELDS:
            try:
                model_field = model._meta.get_field(name)
            except Exception:
                continue
            if not isinstance(model_field, models.CharField | models.TextField) or model_field.choices:
                continue
            for pk in rows:
                try:
                    with transaction.atomic():  # records that refuse edits keep their text
                        value = f"{FOREIGN} {pk}"
                        model.objects.filter(pk=pk).update(**{name: value[: model_field.max_length or None]})
                except DatabaseError:
                    pass


@pytest.fixture
def worlds(db):
    """The viewer's project (with CDMO work the sponsor must not see) and a foreign tenant's."""
    own = populate_everything(
        Project.objects.create(
            sponsor=SponsorFactory(name="Acme Walker"),
            cdmo=CDMOFactory(name="Northbridge Walker"),
            code="OWN-100",
            name="Own program",
            modality="biologic",
            phase="phase_1",
            start_date="2026-01-05",
        )
    )
    pm = ProjectMember.objects.get(project=own, role=TeamRole.PROJECT_MANAGER).user
    published = own.status_updates.filter(status=UpdateStatus.PUBLISHED).first()
    hidden = [
        StatusUpdateFactory(project=own, created_by=pm, title=DRAFT),
        StatusUpdateFactory(
            project=own,
            created_by=pm,
            title=DISCARDED,
            status=UpdateStatus.DISCARDED,
            discarded_at=timezone.now(),
            period_end=published.period_end,
        ),
        UpdateCommentFactory(update=published, author=pm, is_internal=True, body=INTERNAL),
    ]
    # Something the sponsor has not recognized yet, so its page offers the kudos link.
    ServiceIssueFactory(
        project=own, status=IssueStatus.RESOLVED, acknowledged_at=timezone.now(), resolved_at=timezone.now()
    )
    foreign = populate_everything(
        Project.objects.create(
            sponsor=SponsorFactory(name=f"{FOREIGN} Sponsor"),
            cdmo=CDMOFactory(name=f"{FOREIGN} CDMO"),
            code="FRN-900",
            name=f"{FOREIGN} program",
            modality="biologic",
            phase="phase_1",
            start_date="2026-01-05",
        )
    )
    _stamp_foreign_world(foreign)
    return own, foreign, hidden


def _forbidden_for(user, own: Project, foreign: Project, hidden) -> list[Forbidden]:
    found = []
    for model in apps.get_models():
        if model.__module__.startswith(OUR_MODULES):
            try:
                pks = _belongs_to(model, foreign).order_by("pk").values_list("pk", flat=True)[:2]
            except AssertionError:
                continue
            found += [Forbidden(model._meta.label_lower, pk) for pk in pks]
    if user.organization_id == own.sponsor_id:
        found += [Forbidden(obj._meta.label_lower, obj.pk) for obj in hidden]
    return found


# Replaying ----------------------------------------------------------------------------


def _leak_rows(markers) -> dict[str, int]:
    """Per model, rows whose text carries a marker: a replay that copies content raises a count."""
    counts = {}
    for model in apps.get_models():
        if not model.__module__.startswith(OUR_MODULES):
            continue
        text = [
            f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)
        ]
        if not text:
            continue
        where = Q()
        for name in text:
            for marker in markers:
                where |= Q(**{f"{name}__contains": marker})
        counts[model._meta.label] = model.objects.filter(where).count()
    return counts


def _send(client, method: str, url: str, data: dict):
    if method == "post":
        return client.post(url, data)
    split = urlsplit(url)
    return client.get(split.path, {**dict(parse_qsl(split.query, keep_blank_values=True)), **data})


def _check(response, what: str, *, markers, label_ref: bool, offered_choice: bool) -> None:
    body = text(response)
    leaked = [m for m in markers if m in body]
    assert not leaked, f"{what}: the page showed {leaked} ({response.status_code})"
    assert response.status_code != 500, f"{what}: server error"
    if label_ref:
        assert response.status_code in {400, 403, 404} or (
            response.request["REQUEST_METHOD"] == "POST" and response.status_code == 200
        ), f"{what}: answered {response.status_code} for an object the viewer may not see"
    if offered_choice:
        assert not 300 <= response.status_code < 400, f"{what}: accepted a choice the form never offered"


def _check_next(response, what: str) -> None:
    assert response.status_code != 500, f"{what}: server error"
    if 300 <= response.status_code < 400:
        location = response["Location"]
        assert url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"}), (
            f"{what}: redirected off the site to {location}"
        )


def _replays_for_value(value: str, forbidden: list[Forbidden], offered: set[str]):
    """(replacement, is_label_reference) for one emitted value that names an object."""
    if LABEL_REF.match(value.lower()):
        # Any object can be named by any label: try every forbidden object as itself.
        for item in forbidden:
            if item.label in registered_labels():
                yield f"{item.label}:{item.pk}", True
    elif value.isdigit():
        for pk in sorted({item.pk for item in forbidden} - {int(v) for v in offered if v.isdigit()})[:3]:
            yield str(pk), False


def _walk_as(client, user, own: Project, forbidden: list[Forbidden], markers) -> dict[str, int]:
    client.force_login(user)
    # Every route filled with the viewer's own objects, then every page those link to
    # (a resolved issue's kudos link appears only on that issue's page).
    queue = [
        reverse(route, kwargs=_kwargs_for(route, kwarg_names, own)) for route, kwarg_names in our_routes()
    ]
    pages, opened, seen_links, seen_forms = [], set(), set(), set()
    while queue and len(opened) < MAX_PAGES:
        url = queue.pop(0)
        split = urlsplit(url)
        key = (split.path, tuple(sorted(name for name, _ in parse_qsl(split.query))))
        if key in opened or not _ours(url):
            continue
        opened.add(key)
        response = client.get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = PageParser(split.path)
            parser.feed(response.content.decode(errors="replace"))
            pages.append(parser)
            queue += parser.followed
    counts = {"pages": len(pages), "references": 0, "replays": 0, "next": 0}
    for page in pages:
        for link in page.links:
            split = urlsplit(link)
            params = parse_qsl(split.query, keep_blank_values=True)
            key = (split.path, tuple(sorted(name for name, _ in params)))
            if not _ours(link) or key in seen_links:
                continue
            seen_links.add(key)
            for name, value in params:
                if name in SKIPPED_PARAMS:
                    continue
                if name == "next":
                    for hostile in HOSTILE_NEXT:
                        _check_next(_send(client, "get", link, {name: hostile}), f"GET {link} next={hostile}")
                        counts["next"] += 1
                    continue
                replays = list(_replays_for_value(value, forbidden, set()))
                counts["references"] += bool(replays)
                for replacement, label_ref in replays:
                    what = f"{user.email}: GET {split.path}?{name}={replacement}"
                    _check(
                        _send(client, "get", link, {name: replacement}),
                        what,
                        markers=markers,
                        label_ref=label_ref,
                        offered_choice=False,
                    )
                    counts["replays"] += 1
        for form in page.forms:
            names = tuple(sorted(f[0] for f in form.fields))
            key = (urlsplit(form.action).path, form.method, names)
            if not _ours(form.action) or key in seen_forms:
                continue
            seen_forms.add(key)
            base = [(f[0], f[1]) for f in form.fields if f[1] is not None]
            for name, value, kind, options in form.fields:
                if name in SKIPPED_PARAMS:
                    continue
                if name == "next":
                    for hostile in HOSTILE_NEXT:
                        data = dict(base) | {name: hostile}
                        _check_next(
                            _send(client, form.method, form.action, data), f"{form.method} {form.action} next"
                        )
                        counts["next"] += 1
                    continue
                if kind in {"select", "checkbox", "radio"}:
                    emitted = [o for o in options if o] or ([value] if value else [])
                    offered = set(options) | {f[1] for f in form.fields if f[0] == name and f[1]}
                else:
                    emitted, offered = ([value] if kind == "hidden" and value else []), set()
                replays = {r for v in emitted for r in _replays_for_value(v, forbidden, offered)}
                counts["references"] += bool(replays)
                for replacement, label_ref in sorted(replays):
                    data = {k: v for k, v in base if k != name} | {name: replacement}
                    what = f"{user.email}: {form.method.upper()} {form.action} {name}={replacement}"
                    response = _send(client, form.method, form.action, data)
                    _check(
                        response,
                        what,
                        markers=markers,
                        label_ref=label_ref,
                        offered_choice=form.method == "post" and kind in {"select", "checkbox", "radio"},
                    )
                    counts["replays"] += 1
    return counts


@pytest.mark.django_db
@pytest.mark.parametrize("role", [TeamRole.SPONSOR_LEAD, TeamRole.PROJECT_MANAGER])
def test_object_references_in_query_strings_and_forms_never_reach_hidden_objects(
    client, worlds, role, django_capture_on_commit_callbacks
):
    own, foreign, hidden = worlds
    user = ProjectMember.objects.get(project=own, role=role).user
    forbidden = _forbidden_for(user, own, foreign, hidden)
    markers = (FOREIGN, *SPONSOR_HIDDEN) if user.organization_id == own.sponsor_id else (FOREIGN,)
    before = _leak_rows(markers)
    with django_capture_on_commit_callbacks(execute=True):
        counts = _walk_as(client, user, own, forbidden, markers)
    assert _leak_rows(markers) == before, (
        "a replayed reference copied a hidden object's content into the database"
    )
    leaked = [m for m in mail.outbox for marker in markers if marker in m.body + m.subject]
    assert not leaked, "a replayed reference sent a hidden object's content by email"
    print(f"\n{role}: {counts}")
    assert counts["pages"] > 20 and counts["references"] > 5 and counts["replays"] > 20
