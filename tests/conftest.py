"""Shared fixtures: three standing users (the owner side, the other side, an outsider).

Tests run on real PostgreSQL (pytest-django creates test_<db>), real Redis and,
for browser journeys, Debian's Chromium driven by Playwright.
"""

import os

import pytest
from celery._state import _set_task_join_will_block
from playwright.sync_api import Browser

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls inside Playwright tests

from portal.celery import app  # noqa: E402
from portal.organizations.models import OrgRole  # noqa: E402
from projects.models import TeamRole  # noqa: E402
from tests.browser import ConsoleWatch  # noqa: E402
from tests.database_guards import flush_between_transactional_tests_bypasses_truncate_guards  # noqa: E402, F401
from tests.factories.organizations import DEFAULT_PASSWORD, CDMOFactory, SponsorFactory, UserFactory  # noqa: E402
from tests.factories.projects import ProjectFactory, ProjectMemberFactory  # noqa: E402
from tools.screenshots import CHROMIUM_ARGS  # noqa: E402  (the flags Chromium needs here, in one place)

# @pytest.mark.clock: date-sensitive tests run again at awkward instants.
pytest_plugins = ["tests.clock"]
pytest.register_assert_rewrite("tests.demo_story")  # shared demo assertions explain their failures


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium"),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


@pytest.fixture
def sponsor(db):
    return SponsorFactory(name="Acme Bio")


@pytest.fixture
def cdmo(db):
    return CDMOFactory(name="Northbridge CDMO")


@pytest.fixture
def project(sponsor, cdmo):
    return ProjectFactory(sponsor=sponsor, cdmo=cdmo, code="ACM-101", name="Zanrelimab scale-up")


@pytest.fixture
def sponsor_lead(project):
    return ProjectMemberFactory(
        project=project,
        role=TeamRole.SPONSOR_LEAD,
        is_point_of_contact=True,
        user=UserFactory(organization=project.sponsor, full_name="Emily Carter", email="lead@acme.test"),
    ).user


@pytest.fixture
def decision_maker(project):
    return ProjectMemberFactory(
        project=project,
        role=TeamRole.DECISION_MAKER,
        user=UserFactory(organization=project.sponsor, full_name="Michael Ross", email="dm@acme.test"),
    ).user


@pytest.fixture
def cdmo_pm(project):
    return ProjectMemberFactory(
        project=project,
        role=TeamRole.PROJECT_MANAGER,
        is_point_of_contact=True,
        user=UserFactory(organization=project.cdmo, full_name="Lena Hoffmann", email="pm@northbridge.test"),
    ).user


@pytest.fixture
def cdmo_sme(project):
    return ProjectMemberFactory(
        project=project,
        role=TeamRole.SME,
        user=UserFactory(organization=project.cdmo, full_name="Anika Schulz", email="sme@northbridge.test"),
    ).user


@pytest.fixture
def sponsor_member_off_team(project):
    """Same sponsor, plain member, not on this project's team: must not see it."""
    return UserFactory(organization=project.sponsor, full_name="Off Team", email="offteam@acme.test")


@pytest.fixture
def sponsor_exec(project):
    return UserFactory(organization=project.sponsor, org_role=OrgRole.EXECUTIVE, email="exec@acme.test")


@pytest.fixture
def cdmo_admin(project):
    return UserFactory(organization=project.cdmo, org_role=OrgRole.ADMIN, email="admin@northbridge.test")


@pytest.fixture
def outsider(project):
    """An admin of another sponsor that works with the same CDMO: sees none of Acme's work."""
    other = SponsorFactory(name="Other Pharma")
    user = UserFactory(
        organization=other, org_role=OrgRole.ADMIN, full_name="Olga Outsider", email="olga@other.test"
    )
    own = ProjectFactory(sponsor=other, cdmo=project.cdmo, code="OTH-001", name="Outsider program")
    ProjectMemberFactory(project=own, role=TeamRole.SPONSOR_LEAD, user=user)
    return user


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def celery_eager():
    """Run queued tasks in-process by default (the real task code, synchronously).

    Tests of worker behaviour (concurrency, retries) start a real worker instead.
    """
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous
    # An eager task sets Celery's process-wide "joining would block" flag while it runs and puts
    # back what it found; two eager tasks in two threads (two sweeps at once) can leave it set,
    # and a later test's result.get() would then refuse. A worker process never shares it.
    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Factories hash a password per user; the production hasher is slow by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _use_broker(url: str) -> None:
    # Celery keeps its broker connections in pools made on first use: drop them too.
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """The broker (Redis) is unreachable: publishing fails the way it does in production.
    Yields a function that brings it back (with eager tasks again)."""
    previous_url, previous_eager = app.conf.broker_url, app.conf.task_always_eager

    def restore():
        _use_broker(previous_url)
        app.conf.task_always_eager = previous_eager

    app.conf.task_always_eager = False
    _use_broker("redis://127.0.0.1:1/0")  # nothing listens on port 1
    yield restore
    restore()


@pytest.fixture(autouse=True)
def quiet_console(request, monkeypatch):
    """Every browser test fails on a console error, a CSP violation or an uncaught exception in
    any of its pages: each browser context a test opens (pytest-playwright's `page`, sign_in's own
    windows) is watched from its creation."""
    if request.node.get_closest_marker("browser") is None:
        yield None
        return
    watch = ConsoleWatch()
    new_context = Browser.new_context

    def watched_new_context(self, *args, **kwargs):
        return watch.watch(new_context(self, *args, **kwargs))

    monkeypatch.setattr(Browser, "new_context", watched_new_context)
    yield watch
    problems = watch.take()
    assert not problems, "the browser console reported:\n" + "\n".join(problems)
