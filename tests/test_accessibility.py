"""Every page passes axe-core, for every kind of user, on a laptop and on a phone.

One world with one object of each kind (tests/world.py) is built once; then, in real Chromium,
each kind of user signs in and walks the portal the way a person would: from the navigation,
following every link to a page of the portal. A route is checked once per user (the first
milestone stands for all milestones; a link's query string counts by the names of its
parameters, so the dashboard sorted by a column is checked once too); the executive and the admin
check only the routes the project lead and the project manager did not reach. The signed-out pages
(sign-in, password reset, the two-factor step of sign-in) are checked first. Each route is checked
at 1366 pixels wide for each user and at 390 once; any `serious` or `critical` violation fails the test with its rule id
and where it is, as do the moderate rules listed in ALSO_FAILING. The console must stay quiet too
(tests/conftest.py::quiet_console).

A keyboard test checks that Tab shows where it is and reaches a page's main action.
"""

from __future__ import annotations

import os
import re
import sys
from urllib.parse import urljoin, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from axe_playwright_python.base import AXE_SCRIPT
from django.urls import Resolver404, resolve
from django.utils import timezone
from playwright.sync_api import Page, expect

from issues.models import IssueStatus
from meetings.models import MeetingStatus
from portal.organizations.models import OrgRole
from projects.models import Project, ProjectMember, TeamRole
from tests.browser import log_in
from tests.factories.issues import ServiceIssueFactory
from tests.factories.meetings import held_meeting
from tests.factories.organizations import DEFAULT_PASSWORD, CDMOFactory, SponsorFactory, UserFactory

from .world import populate_everything

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 390)
FAILING_IMPACTS = {"serious", "critical"}
# Moderate rules the portal passes and must keep passing.
ALSO_FAILING = {"landmark-one-main", "region", "heading-order", "empty-table-header", "page-has-heading-one"}
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}
# Links that are not pages: files, the admin, and what only makes sense once.
NOT_PAGES = re.compile(r"(\.ics|\.pdf|\.csv|/download/|/attachments/\d+/)$|^/admin/|/open/$")
NEXT_FRAME = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
MAX_PAGES_PER_USER = 80
# The people who work in the project check every page they reach; the executive and the admin,
# who see the same pages with fewer buttons, check only the routes no one else reached.
THOROUGH = {"sponsor project lead", "CDMO project manager"}
PROGRESS = bool(os.environ.get("AXE_PROGRESS"))  # one line per page checked, on stderr
MIN_DISTINCT_ROUTES = 45


def _route_key(url: str) -> tuple | None:
    split = urlsplit(url)
    try:
        match = resolve(split.path)
    except Resolver404:
        return None
    params = tuple(sorted({pair.split("=")[0] for pair in split.query.split("&") if pair}))
    return match.view_name, params


class Audit:
    """Runs axe on pages and keeps what it finds. A route is checked at the narrow width once,
    by the first user to reach it (the layout does not change with who looks at it)."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.moderate: dict[str, set[str]] = {}
        self.checks = 0
        self.routes: set[str] = set()
        self.narrow_done: set = set()

    def check(self, page: Page, who: str, *, new_routes_only: bool = False) -> bool:
        """Checks the page; with new_routes_only, only if no one checked its route yet."""
        key = _route_key(page.url) or (urlsplit(page.url).path, ())
        path = urlsplit(page.url).path
        if new_routes_only and key in self.narrow_done:
            return False
        self.routes.add(key[0])
        page.evaluate(AXE_SCRIPT)  # once per page load; axe.run below runs it at each width
        widths = WIDTHS if key not in self.narrow_done else WIDTHS[:1]
        self.narrow_done.add(key)
        for width in widths:
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(NEXT_FRAME)  # the page's own resize handlers have run
            results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
            self.checks += 1
            for violation in results["violations"]:
                targets = [" ".join(node["target"]) for node in violation["nodes"]]
                if violation["impact"] in FAILING_IMPACTS or violation["id"] in ALSO_FAILING:
                    self.failures.append(
                        f"{who} {path} @{width}px: {violation['id']} ({violation['impact']}) {targets[:5]}"
                    )
                    if PROGRESS:
                        print(self.failures[-1], file=sys.stderr, flush=True)
                else:
                    self.moderate.setdefault(violation["id"], set()).add(path)
        if PROGRESS:
            print(f"{timezone.now():%H:%M:%S} {who} {page.url}", file=sys.stderr, flush=True)
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        return True


def _links(page: Page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        url = urljoin(page.url, href).split("#")[0]
        if url.startswith(base) and not NOT_PAGES.search(urlsplit(url).path):
            found.append(url)
    return found


def _walk(page: Page, base: str, audit: Audit, who: str, *, new_routes_only: bool) -> int:
    """Every page reachable from where sign-in lands, one per route; returns how many were checked."""
    queue, seen, checked = [page.url], set(), 0
    while queue and checked < MAX_PAGES_PER_USER:
        url = queue.pop(0)
        key = _route_key(url)
        if key is None or key in seen:
            continue
        seen.add(key)
        response = page.goto(url)
        final = _route_key(page.url)
        if response is None or response.status != 200 or final is None or (final != key and final in seen):
            continue
        seen.add(final)
        checked += audit.check(page, who, new_routes_only=new_routes_only)
        queue += _links(page, base)
    return checked


@pytest.fixture
def world():
    project = populate_everything(
        Project.objects.create(
            sponsor=SponsorFactory(name="Acme Access"),
            cdmo=CDMOFactory(name="Northbridge Access"),
            code="ACC-100",
            name="Accessible program",
            modality="biologic",
            phase="phase_1",
            start_date="2026-01-05",
        )
    )
    # A resolved issue the sponsor has yet to recognize: its page offers the kudos form.
    ServiceIssueFactory(
        project=project,
        status=IssueStatus.RESOLVED,
        acknowledged_at=timezone.now(),
        resolved_at=timezone.now(),
    )
    # Minutes waiting for the sponsor's signature: the meeting page links to the signing page.
    held_meeting(project, status=MeetingStatus.MINUTES_SENT)
    member = {m.role: m.user for m in ProjectMember.objects.filter(project=project).select_related("user")}
    users = {
        "sponsor project lead": member[TeamRole.SPONSOR_LEAD],
        "CDMO project manager": member[TeamRole.PROJECT_MANAGER],
        "sponsor executive": UserFactory(organization=project.sponsor, org_role=OrgRole.EXECUTIVE),
        "CDMO admin": UserFactory(organization=project.cdmo, org_role=OrgRole.ADMIN),
    }
    with_totp = UserFactory(organization=project.sponsor, email="totp@acme-access.test")
    Authenticator.objects.create(user=with_totp, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return project, users, with_totp


def _signed_out(page: Page, base: str, audit: Audit, with_totp) -> None:
    who = "signed out"
    for path in (
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/key/1-not-a-key/",
        "/accounts/confirm-email/not-a-key/",
    ):
        page.goto(f"{base}{path}")
        audit.check(page, who)
    page.goto(f"{base}/accounts/password/reset/")
    page.get_by_label("Email").fill(with_totp.email)
    page.get_by_role("button").last.click()
    page.wait_for_url(re.compile(r"/password/reset/done/$"))
    audit.check(page, who)
    # A wrong password: the form with its error.
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(with_totp.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("not correct")).to_be_visible()
    audit.check(page, who)
    # The second step of signing in with an authenticator app.
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/2fa/authenticate/$"))
    audit.check(page, who)


def test_every_page_passes_axe_for_every_kind_of_user(browser, live_server, world):
    project, users, with_totp = world
    base = live_server.url
    audit = Audit()
    started = timezone.now()

    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    _signed_out(context.new_page(), base, audit, with_totp)
    context.close()

    pages = {}
    for who, user in users.items():
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        page = context.new_page()
        log_in(page, base, user.email)
        page.wait_for_url(re.compile(rf"^{re.escape(base)}/(projects|dashboard)/"))
        pages[who] = _walk(page, base, audit, who, new_routes_only=who not in THOROUGH)
        context.close()

    took = (timezone.now() - started).total_seconds()
    print(
        f"\naxe: {sum(pages.values())} signed-in pages {pages}, {len(audit.routes)} distinct routes, "
        f"{audit.checks} checks at {WIDTHS} px in {took:.0f}s; moderate left: "
        + "; ".join(f"{rule} on {len(paths)} pages" for rule, paths in sorted(audit.moderate.items()))
    )
    assert not audit.failures, f"{len(audit.failures)} accessibility violations:\n" + "\n".join(
        audit.failures
    )
    assert len(audit.routes) >= MIN_DISTINCT_ROUTES, sorted(audit.routes)
    # The pages that carry a signing dialog were among them.
    assert {"meetings:minutes_confirm", "projects:decision", "issues:detail"} <= audit.routes
    assert min(pages[who] for who in THOROUGH) >= 30, pages


def test_tab_shows_focus_and_reaches_the_main_action(page: Page, live_server, world):
    project, users, _ = world
    log_in(page, live_server.url, users["sponsor project lead"].email)
    page.goto(f"{live_server.url}{project.get_absolute_url()}service-issues/")

    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to content")
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    main_action = page.get_by_role("link", name="Raise a service issue").first
    for _ in range(40):
        page.keyboard.press("Tab")
        if main_action.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached 'Raise a service issue'")
    outline = main_action.evaluate(
        "element => { const s = getComputedStyle(element); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none" and float(outline[1].rstrip("px")) >= 2, outline


def test_console_errors_and_csp_violations_are_caught(page: Page, live_server, quiet_console):
    """The console check every browser test gets (tests/conftest.py::quiet_console) sees an inline
    style refused by the CSP and a script error."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.evaluate("setTimeout(() => { throw new Error('boom'); })")
    page.evaluate("console.error('broken')")
    page.wait_for_timeout(200)
    problems = quiet_console.take()
    assert any("CSP violation: style-src" in problem for problem in problems), problems
    assert any("boom" in problem for problem in problems), problems
    assert any("broken" in problem for problem in problems), problems
