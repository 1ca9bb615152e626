"""The in-process measures: each fills `bench.results` (name -> Result) for one size.

Who: the executive of the organization with most projects (sees about half of them) and the
sponsor lead on most projects (a quarter of them); the project is the executive's project with the
longest history of status updates. The baseline is a trivial signed-in page, the organization's
members page, timed in the same run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import multiprocessing
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pgtrigger
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings import feed
from meetings.models import CalendarFeed
from oversight.monitoring.models import Flag, ProjectCheck
from oversight.monitoring.selectors import DashboardFilters, dashboard_rows
from oversight.monitoring.services import recheck_projects, sweep, sweep_due
from oversight.monitoring.tasks import run_sweep
from portal.accounts.models import User
from portal.core import clock
from portal.documents.models import Document
from portal.documents.services import build_document
from portal.notifications.models import Notification
from portal.organizations.models import OrgRole
from projects.models import Project, ProjectMember, StatusUpdate, TeamRole

from . import api, databases, scorecards
from .timing import Result, body_of, page, timed

FLAG_NOTICE_KINDS = ("flag.raised", "flag.repeat")
# The PDF of about a hundred rows: one sponsor's share of the first thousand generated codes.
PDF_QUERY = "GEN-00"


@dataclass
class Bench:
    """One size: its database, its people and what has been measured so far."""

    size: int
    database: str
    repeat: int
    pdf_timeout: float
    executive: User
    lead: User
    project: Project
    results: dict[str, Result] = field(default_factory=dict)
    clients: dict[int, Client] = field(default_factory=dict)

    def client(self, user: User) -> Client:
        if user.pk not in self.clients:
            self.clients[user.pk] = Client()
            self.clients[user.pk].force_login(user)
        return self.clients[user.pk]

    def page(self, name: str, user: User, url: str, headers: dict | None = None) -> Result:
        """`url` as `user`, each run paired with one of the trivial page (as the executive)."""
        trivial_page = self.client(self.executive), reverse("organizations:members")
        self.results[name] = result = page(
            self.client(user),
            url,
            repeat=self.repeat,
            headers=headers,
            baseline=None if name == "trivial" else lambda: trivial_page[0].get(trivial_page[1]),
        )
        result.extra["url"] = url
        return result


def people(size: int, database: str, args) -> Bench:
    biggest = Project.objects.values("cdmo_id").annotate(n=Count("pk")).order_by("-n").first()["cdmo_id"]
    executive = User.objects.filter(organization_id=biggest, org_role=OrgRole.EXECUTIVE).first()
    lead_id = (
        ProjectMember.objects.filter(role=TeamRole.SPONSOR_LEAD, removed_at__isnull=True)
        .values("user_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["user_id"]
    )
    project_id = (
        StatusUpdate.objects.filter(project__cdmo_id=biggest)
        .values("project_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "project_id")
        .first()["project_id"]
    )
    return Bench(
        size=size,
        database=database,
        repeat=args.repeat,
        pdf_timeout=args.pdf_timeout,
        executive=executive,
        lead=User.objects.get(pk=lead_id),
        project=Project.objects.get(pk=project_id),
    )


def trivial(bench: Bench) -> None:
    bench.page("trivial", bench.executive, reverse("organizations:members"))


def dashboard(bench: Bench) -> None:
    result = bench.page("dashboard", bench.executive, reverse("monitoring:dashboard"))
    result.extra["visible"] = Project.objects.filter(cdmo_id=bench.executive.organization_id).count()


def dashboard_csv(bench: Bench) -> None:
    client = bench.client(bench.executive)
    url = reverse("monitoring:dashboard_csv")
    seconds, queries, (status, body) = timed(lambda: _status_and_body(client, url), repeat=bench.repeat)
    rows = max(0, len(list(csv.reader(io.StringIO(body.decode("utf-8-sig", "replace"))))) - 1)
    result = Result(seconds=seconds, queries=queries, status=status)
    result.extra.update(rows=rows, ms_per_row=1000 * seconds / rows if rows else None, bytes=len(body))
    bench.results["csv"] = result


def _status_and_body(client: Client, url: str) -> tuple[int, bytes]:
    response = client.get(url)
    return response.status_code, body_of(response)


def _first_sponsor(bench: Bench) -> int:
    return (
        Project.objects.filter(cdmo_id=bench.executive.organization_id)
        .order_by("sponsor_id")
        .first()
        .sponsor_id
    )


def _pdf_built(client: Client, url: str) -> tuple[int, bytes]:
    """The PDF as people get it now: "Download PDF" (a POST that queues the build), then the
    worker's build (run here, as the worker would). 200 and the file once it is ready."""
    response = client.post(url)
    document = Document.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    build_document(document_id=document.pk)
    document.refresh_from_db()
    if not document.is_ready:
        return 500, document.error.encode()
    with document.file.open("rb") as pdf:
        return 200, pdf.read()


def _pdf_url(q: str, sponsor_id: int) -> str:
    return f"{reverse('monitoring:dashboard_pdf')}?q={q}&counterparty={sponsor_id}"


def dashboard_pdf(bench: Bench) -> None:
    """About a hundred rows, after a one-row PDF that loads WeasyPrint and its fonts."""
    client = bench.client(bench.executive)
    sponsor_id = _first_sponsor(bench)
    _pdf_built(client, _pdf_url(PDF_QUERY + "000", sponsor_id))
    url = _pdf_url(PDF_QUERY, sponsor_id)
    seconds, queries, (status, body) = timed(lambda: _pdf_built(client, url), repeat=1, warm_up=False)
    rows = dashboard_rows(
        user=bench.executive, filters=DashboardFilters(q=PDF_QUERY, counterparty=sponsor_id)
    ).count()
    result = Result(seconds=seconds, queries=queries, status=status)
    result.extra.update(rows=rows, bytes=len(body), url=url)
    bench.results["pdf_100"] = result


def _pdf_in_child(conn, user_pk: int, url: str) -> None:
    """In a forked child: the full PDF (asked for, then built), then (status, seconds, bytes, MB)."""
    try:
        client = Client()
        client.force_login(User.objects.get(pk=user_pk))
        start = time.perf_counter()
        status, body = _pdf_built(client, url)
        seconds = time.perf_counter() - start
        conn.send((status, seconds, len(body), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, ""))
    except Exception as error:  # reported as a failure in the table, never a crash of the bench
        conn.send((None, None, 0, 0, f"{type(error).__name__}: {error}"[:120]))


def dashboard_pdf_full(bench: Bench) -> None:
    """Every row the executive sees (the PDF shows DASHBOARD_PDF_MAX_ROWS of them and says so), in a
    child process killed after `pdf_timeout` seconds."""
    url = reverse("monitoring:dashboard_pdf")
    databases.release_connections()  # the child must not share the pool's sockets
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_pdf_in_child, args=(sender, bench.executive.pk, url), daemon=True)
    start = time.perf_counter()
    child.start()
    sender.close()
    answer = receiver.recv() if receiver.poll(bench.pdf_timeout) else None
    elapsed = time.perf_counter() - start
    if child.is_alive():
        child.kill()
    child.join()
    result = Result(extra={"url": url})
    if answer is None:
        result.note = f"no answer after {elapsed:.0f} s (killed)" if elapsed >= bench.pdf_timeout else "died"
    else:
        result.status, result.seconds, size, megabytes, error = answer
        result.extra.update(bytes=size, megabytes=megabytes)
        result.note = error or (f"HTTP {result.status}" if result.status >= 300 else "")
    result.extra["rows"] = dashboard_rows(user=bench.executive, filters=DashboardFilters()).count()
    bench.results["pdf_full"] = result


def sweep_rules(bench: Bench) -> None:
    """The sweeps without their notices, in their steady state (the first run raised everything):
    the nightly reconciliation (every rule over every project), the quarter-hourly sweep (the
    projects whose moment came), and, for scale, what the busiest quarter hour could evaluate:
    every project whose moment comes within the next day, at once."""
    seconds, queries, outcome = timed(lambda: sweep(notify=False), repeat=bench.repeat)
    result = Result(seconds=seconds, queries=queries)
    result.extra.update(open_flags=Flag.objects.filter(cleared_at__isnull=True).count())
    bench.results["sweep_reconcile"] = result

    seconds, queries, outcome = timed(lambda: sweep_due(notify=False), repeat=bench.repeat)
    result = Result(seconds=seconds, queries=queries, note=f"{outcome.evaluated} due")
    if not settings.MONITORING_RECHECK_ON_CHANGE:
        result.note = "MONITORING_RECHECK_ON_CHANGE is off: the full sweep"
    bench.results["sweep_rules"] = result

    day = list(
        ProjectCheck.objects.filter(check_at__lte=timezone.now() + dt.timedelta(days=1)).values_list(
            "project_id", flat=True
        )
    )
    seconds, queries, outcome = timed(lambda: recheck_projects(project_ids=day), repeat=bench.repeat)
    bench.results["sweep_day"] = Result(seconds=seconds, queries=queries, note=f"{len(day)} projects")


def sweep_with_notices(bench: Bench) -> None:
    """The scheduled task as beat runs it (notify=True), its notice step cold: on a copy of the
    database where no open flag was ever announced, so every one of them is due."""
    with databases.copy_of(bench.database):
        with pgtrigger.ignore("notifications.Notification:notification_no_delete"):
            Notification.objects.filter(kind__in=FLAG_NOTICE_KINDS).delete()
        due = Flag.objects.filter(cleared_at__isnull=True).update(last_notified_at=None)
        seconds, queries, outcome = timed(lambda: run_sweep.apply(throw=True).get(), repeat=1, warm_up=False)
        result = Result(seconds=seconds, queries=queries)
        result.extra.update(due=due, notices=outcome.get("notices"))
    bench.results["sweep_notices"] = result


def calendar_feed(bench: Bench) -> None:
    """The sponsor lead's feed as calendar apps ask for it (gzip): the first subscription (the
    near weeks built during the poll), the background work (the check of an unchanged feed, a
    rebuild of the whole window), the poll after a change once rebuilt (the stored body), and an
    unchanged poll (304)."""
    lead = bench.lead
    client = bench.client(lead)
    url = reverse("meetings:calendar_feed", kwargs={"token": lead.calendar_token})
    compressed = {"HTTP_ACCEPT_ENCODING": "gzip"}

    def subscribe():
        # Rolled back: the stored feed and the rebuild it queues leave no trace (timed below).
        with transaction.atomic():
            CalendarFeed.objects.filter(user=lead).delete()
            response = client.get(url, **compressed)
            size = CalendarFeed.objects.get(user=lead).size
            transaction.set_rollback(True)
        return response, body_of(response), size

    seconds, queries, (response, body, size) = timed(subscribe, repeat=bench.repeat)
    result = Result(seconds=seconds, queries=queries, status=response.status_code)
    result.extra.update(bytes=size, gzip_bytes=len(body), url=url)
    result.extra["projects"] = ProjectMember.objects.filter(user=lead, removed_at__isnull=True).count()
    bench.results["feed_first"] = result

    # What the background rebuild does when the data changed (the stored ETag is not its version).
    feed.build(user=feed.subscriber(lead.calendar_token), now=clock.now())

    def rebuild():
        CalendarFeed.objects.filter(user=lead).update(etag="before-the-change")
        return feed.refresh(user_id=lead.pk, now=clock.now())

    seconds, queries, _ = timed(rebuild, repeat=bench.repeat)
    stored = CalendarFeed.objects.get(user=lead)
    bench.results["feed_rebuild"] = Result(seconds=seconds, queries=queries, extra={"bytes": stored.size})

    # Every CHECK_EVERY, per feed polled lately: its version, compared with the stored one.
    seconds, queries, queued = timed(lambda: feed.check_feeds(now=clock.now()), repeat=bench.repeat)
    bench.results["feed_check"] = Result(
        seconds=seconds, queries=queries, note=f"{queued} queued" if queued else ""
    )

    headers = {"Accept-Encoding": "gzip"}
    served = bench.page("feed_200", lead, url, headers={**headers, "If-None-Match": 'W/"before-the-change"'})
    served.extra.update(bytes=stored.size)
    etag = client.get(url, **compressed).headers.get("ETag")
    bench.page("feed_304", lead, url, headers={**headers, "If-None-Match": etag})


def list_pages(bench: Bench) -> None:
    """Every list an executive or a lead reaches, and the project's tabs."""
    executive, lead, project = bench.executive, bench.lead, {"project_id": bench.project.pk}
    for name, user, url in (
        ("list:action_items_exec", executive, reverse("meetings:my_action_items")),
        ("list:action_items_lead", lead, reverse("meetings:my_action_items")),
        ("list:issues_exec", executive, reverse("issues:list")),
        ("list:issues_lead", lead, reverse("issues:list")),
        ("list:projects_exec", executive, reverse("projects:list")),
        ("list:projects_lead", lead, reverse("projects:list")),
        ("list:decisions_exec", executive, reverse("projects:decisions")),
        ("list:meetings_lead", lead, reverse("meetings:my_meetings")),
        ("list:notifications_lead", lead, reverse("notifications:list")),
        ("list:updates_tab", executive, reverse("projects:updates", kwargs=project)),
        ("list:project_meetings", executive, reverse("meetings:project_meetings", kwargs=project)),
        ("list:project_issues", executive, reverse("issues:project_issues", kwargs=project)),
        ("list:project_flags", executive, reverse("monitoring:project_flags", kwargs=project)),
    ):
        bench.page(name, user, url)


def project_page(bench: Bench) -> None:
    bench.page("project_page", bench.executive, bench.project.get_absolute_url())


# --only names, in the order they run. The sweep with notices goes last: it switches databases.
MEASURES: dict[str, Callable[[Bench], None]] = {
    "dashboard": dashboard,
    "csv": dashboard_csv,
    "pdf": dashboard_pdf,
    "pdf_full": dashboard_pdf_full,
    "sweep": sweep_rules,
    "feed": calendar_feed,
    "lists": list_pages,
    "project": project_page,
    "scorecards": scorecards.comparisons,
    "scorecards_project": scorecards.project_pages,
    "scorecards_refresh": scorecards.nightly_refresh,
    "scorecards_review": scorecards.business_review,
    "api": api.projects_page,
    "sweep_notices": sweep_with_notices,
}
