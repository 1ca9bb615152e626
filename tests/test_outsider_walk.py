"""Walk every URL pattern the portal defines, as an outsider and as an anonymous visitor.

Object URLs are filled with real objects of a victim project ("<model>_id" kwargs
name the model), so a route added later is covered without editing this test. A
route whose kwargs cannot be filled fails the test: name them `<model>_id`. Two kwargs
that are not objects are filled with real values: a scorecard `measure` (a measure's key) and
a `quarter` (this quarter, as the Health tab names it), so the page behind them is walked too.
"""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from oversight.scorecards.figures import window
from oversight.scorecards.measures import MEASURES
from portal.accounts.models import User
from portal.organizations.models import Organization
from projects.models import Project
from tests.factories.organizations import UserFactory
from tests.http import text

from .world import populate_everything

OUR_MODULES = ("portal.", "projects.", "meetings.", "issues.", "oversight.", "integration.", "demo.")
NOT_OBJECTS = ("measure", "quarter")  # kwargs filled with real values, not ids (`_kwargs_for`)
SECRET_MARKERS = ("HIDDEN-777", "Hidden Program Omega", "Secret Sponsor Holdings", "victim-lead@secret.test")


def our_routes():
    """(route name, kwarg names) for every named URL served by our own views."""
    found = []

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                module = getattr(entry.callback, "__module__", "")
                if module.startswith(OUR_MODULES):
                    found.append((f"{namespace}{entry.name}", list(entry.pattern.converters)))

    walk(get_resolver().url_patterns, "")
    return found


def _model_for_kwarg(kwarg: str) -> type[models.Model] | None:
    if not kwarg.endswith("_id"):
        return None
    wanted = kwarg[:-3]
    for model in apps.get_models():
        if model._meta.model_name == wanted and model.__module__.startswith(OUR_MODULES):
            return model
    return None


def _belongs_to(model, project: Project) -> models.QuerySet:
    """Instances of `model` that belong to `project` (directly or through one or two FKs)."""
    if model is Project:
        return Project.objects.filter(pk=project.pk)
    if model is User:
        return User.objects.filter(organization=project.sponsor)
    if model is Organization:
        # The other party of a relationship (the scorecards' drill-down): the victim's sponsor,
        # with which the outsider (another sponsor, sharing the CDMO) has no relationship.
        return Organization.objects.filter(pk=project.sponsor_id)
    if hasattr(model.objects, "about"):  # a notification names its subject (portal/notifications/subjects.py)
        return model.objects.about(project)
    names = {f.name: f for f in model._meta.get_fields() if isinstance(f, models.ForeignKey)}
    if "project" in names:
        return model.objects.filter(project=project)
    if {"sponsor", "cdmo"} <= names.keys():  # a relationship's record (a business review)
        return model.objects.filter(sponsor=project.sponsor, cdmo=project.cdmo)
    for name, field in names.items():
        related = {f.name for f in field.related_model._meta.get_fields() if isinstance(f, models.ForeignKey)}
        if "project" in related:
            return model.objects.filter(**{f"{name}__project": project})
    if "organization" in names:
        return model.objects.filter(organization=project.sponsor)
    raise AssertionError(f"Cannot tell which {model.__name__} belongs to a project; give it a project FK.")


def _kwargs_for(route: str, kwarg_names: list[str], project: Project, *, project_override=None):
    kwargs = {}
    for kwarg in kwarg_names:
        if kwarg == "project_id" and project_override is not None:
            kwargs[kwarg] = project_override.pk
            continue
        model = _model_for_kwarg(kwarg)
        if model is not None:
            instance = _belongs_to(model, project).order_by("pk").first()
            assert instance is not None, (
                f"{route}: no {model.__name__} in the victim world; add it to populate_project() in its factories"
            )
            kwargs[kwarg] = instance.pk
        elif kwarg == "measure":  # a scorecard measure's key: a real one, so the page is reached
            kwargs[kwarg] = MEASURES[0].key
        elif kwarg == "quarter":  # this quarter (the clock may be frozen): one the Health tab shows
            kwargs[kwarg] = window()[0].slug
        elif kwarg in {"token", "key", "uidb36", "slug"} or kwarg.endswith("_token"):
            kwargs[kwarg] = uuid.uuid4().hex  # unknown secrets must 404, never reveal anything
        else:
            raise AssertionError(f"{route}: cannot fill URL kwarg {kwarg!r}; name object kwargs <model>_id")
    return kwargs


@pytest.fixture
def victim(db, sponsor, cdmo):
    sponsor.name = "Secret Sponsor Holdings"
    sponsor.save()
    project = Project.objects.create(
        sponsor=sponsor,
        cdmo=cdmo,
        code="HIDDEN-777",
        name="Hidden Program Omega",
        modality="biologic",
        phase="phase_1",
        start_date="2026-01-05",
    )
    UserFactory(organization=sponsor, email="victim-lead@secret.test", full_name="Victoria Victim")
    return populate_everything(project)


def _assert_hidden(response, route, who, *, object_route: bool):
    body = text(response)
    leaked = [m for m in SECRET_MARKERS if m in body]
    assert not leaked, f"{who} saw {leaked} at {route} ({response.status_code})"
    if object_route:
        allowed = {404, 405} if who == "outsider" else {302, 404, 405}
        assert response.status_code in allowed, f"{who} got {response.status_code} at object URL {route}"
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"], (
                f"{who} redirected to {response['Location']} at {route}"
            )
    else:
        assert response.status_code != 500, f"{who} got a server error at {route}"


def test_routes_are_found():
    names = {name for name, _ in our_routes()}
    assert {"projects:detail", "projects:list", "healthz"} <= names


@pytest.mark.django_db
def test_outsider_and_anonymous_walk_every_url(client, victim, outsider):
    own_project = Project.objects.get(code="OTH-001")
    checked = 0
    for route, kwarg_names in our_routes():
        object_route = bool(kwarg_names)
        urls = [reverse(route, kwargs=_kwargs_for(route, kwarg_names, victim))]
        if "project_id" in kwarg_names and set(kwarg_names) - {"project_id", *NOT_OBJECTS}:
            # The outsider's own project with the victim's object ids: still nothing. (A route
            # whose other kwargs are no objects, a measure and a quarter, shows the outsider's
            # own project: nothing of the victim's to find there.)
            urls.append(
                reverse(route, kwargs=_kwargs_for(route, kwarg_names, victim, project_override=own_project))
            )
        for url in urls:
            for who in ("anonymous", "outsider"):
                client.logout()
                if who == "outsider":
                    client.force_login(outsider)
                for method in (client.get, client.post):
                    response = method(url)
                    _assert_hidden(response, url, who, object_route=object_route)
                    checked += 1
    assert checked > 20


@pytest.mark.django_db
def test_outsider_list_pages_show_only_their_own_project(client, victim, outsider):
    client.force_login(outsider)
    body = client.get(reverse("projects:list")).content.decode()
    assert "OTH-001" in body
    assert "HIDDEN-777" not in body


@pytest.mark.django_db
def test_outsider_searching_for_the_victims_project_finds_nothing(client, victim, outsider):
    """The project picker's search (projects:search) and the typed-text filters it feeds."""
    client.force_login(outsider)
    searches = [
        (reverse("projects:search"), {"q": "HIDDEN"}),
        (reverse("projects:search"), {"field": "project", "project_q": "Hidden Program"}),
        (reverse("issues:list"), {"project_q": "HIDDEN"}),
        (reverse("issues:list"), {"project": victim.pk}),
        (reverse("meetings:my_action_items"), {"owner": "anyone", "project_q": "Hidden"}),
        (reverse("meetings:my_action_items"), {"owner": "anyone", "project": victim.pk}),
    ]
    for url, params in searches:
        response = client.get(url, params)
        assert response.status_code == 200
        _assert_hidden(response, f"{url}?{params}", "outsider", object_route=False)


@pytest.mark.django_db
def test_every_page_refuses_methods_other_than_get_and_post(client, victim):
    """PUT, DELETE and PATCH are a 405 naming the allowed methods on every page (ours, allauth's,
    the admin's), even for a signed-in member and with the CSRF check on; GET and POST still
    reach the views."""
    member = victim.members.filter(user__organization=victim.sponsor).first().user
    client.force_login(member)
    urls = [reverse(route, kwargs=_kwargs_for(route, names, victim)) for route, names in our_routes()]
    urls += [reverse("account_login"), reverse("admin:index")]
    for url in urls:
        for method in (client.put, client.delete, client.patch):
            response = method(url)
            assert response.status_code == 405, f"{method.__name__.upper()} {url} gave {response.status_code}"
            assert response["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert len(urls) > 20

    project_page = reverse("projects:detail", kwargs={"project_id": victim.pk})
    assert client.get(project_page).status_code == 200
    assert client.get(project_page, headers={"HX-Request": "true"}).status_code == 200
    assert client.head(project_page).status_code == 200
    assert client.options(project_page).status_code != 405
    assert client.put("/no-such-page/").status_code == 404


@pytest.mark.django_db
def test_a_put_without_a_csrf_token_is_405_not_403(victim):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(victim.members.first().user)
    response = strict.put(reverse("projects:detail", kwargs={"project_id": victim.pk}))
    assert response.status_code == 405
    assert strict.post(reverse("projects:detail", kwargs={"project_id": victim.pk})).status_code == 403
