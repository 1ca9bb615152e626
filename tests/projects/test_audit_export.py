"""The inspection-ready export of a project's audit trail (docs/audit-export.md): every event the
History tab lists for the range and every signature of the project's records, in the JSON, the
CSV and the PDF; the range filters; the sponsor's export leaves internal notes out; only the
project's admins, executives and leads may export, anyone else gets a 404."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from issues.models import EventKind
from meetings.models import MeetingStatus
from portal.core.task_base import PermanentTaskError
from portal.documents.models import Document, DocumentStatus
from portal.documents.services import build_document
from portal.signatures.models import Meaning, Outcome, Signature, SigningAttempt
from portal.signatures.services import SigningRefused, manifestation, sign
from projects.audit_export.build import kind
from projects.audit_export.collect import collect, utc
from projects.audit_export.formats import css_string, render_pdf_html
from projects.models import Milestone, MilestoneKind, ProjectMember
from tests.clock import today_for
from tests.factories.issues import IssueEventFactory, ResolutionPlanFactory, ServiceIssueFactory
from tests.factories.meetings import held_meeting
from tests.factories.projects import StatusUpdateFactory, staff_project

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

SECRET = "Supplier audit finding, do not share"
WEEK_AGO = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def _sign(user, password, action, record, meaning, comment=""):
    return sign(
        user=user,
        session={},
        action=action,
        record=record,
        meaning=meaning,
        password=password,
        comment=comment,
    )


@pytest.fixture
def trail(project, sponsor_lead, decision_maker, cdmo_pm, password, outsider):
    """A project with events of several kinds today, three signatures (minutes and a plan today,
    an update a week ago), a failed attempt, an internal note; and another project's signature."""
    Milestone.objects.create(
        project=project,
        kind=MilestoneKind.choices[0][0],
        title="GMP batch 1",
        baseline_date=dt.date(2027, 1, 1),
        forecast_date=dt.date(2027, 2, 15),
    )
    Milestone.objects.filter(project=project).update(forecast_date=dt.date(2027, 3, 1))
    issue = ServiceIssueFactory(project=project)
    IssueEventFactory(issue=issue, kind=EventKind.NOTE, is_internal=True, summary=SECRET, actor=cdmo_pm)
    plan = ResolutionPlanFactory(issue=issue)
    minutes = held_meeting(project, status=MeetingStatus.MINUTES_SENT)
    with pytest.raises(SigningRefused):
        _sign(sponsor_lead, "wrong", "meetings.minutes_confirm", minutes, Meaning.CONFIRMED)
    signed = [
        _sign(
            sponsor_lead,
            password,
            "meetings.minutes_confirm",
            minutes,
            Meaning.CONFIRMED,
            "Matches my notes.",
        ),
        _sign(decision_maker, password, "issues.plan_accept", plan, Meaning.APPROVED),
    ]
    with time_machine.travel(WEEK_AGO, tick=False):
        update = StatusUpdateFactory(project=project, published=True, created_by=cdmo_pm)
        old = _sign(cdmo_pm, password, "projects.update_publish", update, Meaning.AUTHORED)
    elsewhere = held_meeting(staff_project(sponsor=project.sponsor, cdmo=project.cdmo))
    other = _sign(sponsor_lead, password, "meetings.minutes_confirm", elsewhere, Meaning.CONFIRMED)
    return {"today": signed, "week_ago": old, "elsewhere": other}


def _export(client, project, fmt, start, end, capture):
    with capture(execute=True):
        response = client.post(
            reverse("projects:audit_export", args=[project.pk]),
            {"start": start.isoformat(), "end": end.isoformat(), "format": fmt},
        )
    assert response.status_code == 302, response.content.decode()[:500]
    document = Document.objects.get(kind=kind(fmt))
    assert response.url == document.get_absolute_url()
    assert document.status == DocumentStatus.READY, document.error
    with document.file.open("rb") as handle:
        return document, handle.read()


def _download_csv(client, project, start, end) -> bytes:
    """The CSV, streamed in the response (no document, no worker), read to its end."""
    response = client.post(
        reverse("projects:audit_export", args=[project.pk]),
        {"start": start.isoformat(), "end": end.isoformat(), "format": "csv"},
    )
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="audit-trail-{project.code}-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    )
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeffrow_type,id,at_utc,".encode())
    return content


def _history_count(client, project, start, end) -> int:
    page = client.get(
        reverse("projects:history", args=[project.pk]),
        {"date_from": start.isoformat(), "date_to": end.isoformat()},
    ).context["page"]
    return page.paginator.count


def _csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_every_event_and_signature_is_in_the_json_and_the_csv(
    login, project, cdmo_pm, trail, django_capture_on_commit_callbacks
):
    client = login(cdmo_pm)
    today = today_for(cdmo_pm)
    _doc, raw = _export(client, project, "json", today, today, django_capture_on_commit_callbacks)
    exported = json.loads(raw)
    assert exported["project"]["code"] == project.code
    assert exported["range"] == {**exported["range"], "start": today.isoformat(), "end": today.isoformat()}
    assert exported["generated_at"].endswith("Z") and exported["generated_by"]["email"] == cdmo_pm.email

    events = exported["events"]
    # Every event the History tab lists for the range, once each.
    assert len(events) == len({e["id"] for e in events}) == _history_count(client, project, today, today) > 5
    models = {e["model"] for e in events}
    assert {"projects.Milestone", "meetings.Meeting", "issues.IssueEvent", "issues.ServiceIssue"} <= models
    changed = next(e for e in events if e["model"] == "projects.Milestone" and e["action"] == "changed")
    assert changed["changes"] == [{"field": "Forecast date", "old": "15 Feb 2027", "new": "01 Mar 2027"}]
    assert changed["raw_changes"] == {"forecast_date": ["2027-02-15", "2027-03-01"]}
    assert any(SECRET in e["subject"] for e in events)  # the CDMO's own export has its internal notes

    signatures = {s["id"]: s for s in exported["signatures"]}
    assert set(signatures) == {s.pk for s in trail["today"]}  # not last week's, not another project's
    minutes = signatures[trail["today"][0].pk]
    assert minutes["manifestation"] == manifestation(trail["today"][0], dt.UTC)
    assert minutes["meaning"] == "Confirmed" and minutes["comment"] == "Matches my notes."
    assert (
        minutes["content_sha256"] == trail["today"][0].content_sha256 and minutes["record_unchanged"] is True
    )
    assert minutes["signer"]["organization"] == project.sponsor.name
    attempts = exported["signing_attempts"]
    assert {a["id"] for a in attempts} == set(
        SigningAttempt.objects.filter(signature__in=trail["today"]).values_list("pk", flat=True)
    ) | set(SigningAttempt.objects.filter(outcome=Outcome.WRONG_PASSWORD).values_list("pk", flat=True))
    assert "Wrong password" in {a["outcome"] for a in attempts}

    raw_csv = _download_csv(client, project, today, today)
    rows = _csv_rows(raw_csv)
    assert {r["id"] for r in rows if r["row_type"] == "event"} == {e["id"] for e in events}
    assert {int(r["id"]) for r in rows if r["row_type"] == "signature"} == set(signatures)
    assert {int(r["id"]) for r in rows if r["row_type"] == "signing_attempt"} == {a["id"] for a in attempts}
    signed_row = next(r for r in rows if r["row_type"] == "signature" and int(r["id"]) == minutes["id"])
    assert signed_row["manifestation"] == minutes["manifestation"]
    assert signed_row["status"] == "Record unchanged since signing"
    milestone_row = next(r for r in rows if r["id"] == changed["id"])
    assert milestone_row["changes"] == "Forecast date: 15 Feb 2027 → 01 Mar 2027"
    assert mail.outbox and "audit trail" in mail.outbox[-1].subject


def test_the_range_filters_events_and_signatures(
    login, project, cdmo_pm, trail, django_capture_on_commit_callbacks
):
    client = login(cdmo_pm)
    day = WEEK_AGO.date()
    _doc, raw = _export(client, project, "json", day, day, django_capture_on_commit_callbacks)
    exported = json.loads(raw)
    # The events were written today (the database's clock); only the signature is a week old.
    assert exported["events"] == [] == [None] * _history_count(client, project, day, day)
    assert [s["id"] for s in exported["signatures"]] == [trail["week_ago"].pk]
    # Days in the requester's time zone, as on the History tab; the bounds are given in UTC.
    start = dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(cdmo_pm.time_zone))
    assert exported["range"]["from_utc"] == utc(start) and exported["range"]["time_zone"] == cdmo_pm.time_zone


def test_the_pdf_shows_the_signatures_and_every_event(
    login, project, cdmo_pm, trail, django_capture_on_commit_callbacks, tmp_path
):
    client = login(cdmo_pm)
    start, end = WEEK_AGO.date(), today_for(cdmo_pm)
    document, pdf = _export(client, project, "pdf", start, end, django_capture_on_commit_callbacks)
    assert pdf.startswith(b"%PDF") and document.filename.endswith(".pdf")
    trail_data = collect(
        project=project, user=cdmo_pm, sees_internal=True, start=start, end=end, progress=_quiet
    )
    html = render_pdf_html(trail_data)
    signatures = Signature.objects.filter(pk__in=[s.pk for s in [*trail["today"], trail["week_ago"]]])
    for signature in signatures:
        assert manifestation(signature, dt.UTC) in html and signature.content_sha256 in html
    assert len(trail_data.events) == _history_count(client, project, start, end)
    for event in trail_data.events:
        assert f"{event['model']} #{event['record_id']}" in html
    if shutil.which("pdftotext"):
        path = tmp_path / "export.pdf"
        path.write_bytes(pdf)
        text = " ".join(
            subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split()
        )
        assert "Signed by Emily Carter" in text and "meaning Confirmed" in text and "Page 1 of" in text


def _quiet(*args, **kwargs):
    pass


def test_a_long_pdf_lists_every_event_and_change_compactly(project, cdmo_pm, trail, monkeypatch):
    monkeypatch.setattr("projects.audit_export.formats.COMPACT_FROM", 3)
    start, end = WEEK_AGO.date(), today_for(cdmo_pm)
    trail_data = collect(
        project=project, user=cdmo_pm, sees_internal=True, start=start, end=end, progress=_quiet
    )
    html = render_pdf_html(trail_data)
    assert len(trail_data.events) > 3 and "one line each" in html and "<table>" in html  # signatures
    for event in trail_data.events:
        assert f"{event['model']} #{event['record_id']}" in html
        for change in event["changes"]:
            assert escape(f"{change['field']}: {change['old']} → {change['new']}") in html
    assert "Forecast date: 15 Feb 2027 → 01 Mar 2027" in html


def test_the_sponsors_export_leaves_internal_notes_out(
    login, project, sponsor_lead, trail, django_capture_on_commit_callbacks
):
    client = login(sponsor_lead)
    today = today_for(sponsor_lead)
    _doc, raw = _export(client, project, "json", today, today, django_capture_on_commit_callbacks)
    assert SECRET not in raw.decode()
    exported = json.loads(raw)
    assert len(exported["events"]) == _history_count(client, project, today, today)
    assert {s["id"] for s in exported["signatures"]} == {s.pk for s in trail["today"]}
    raw_csv = _download_csv(client, project, today, today)
    assert SECRET not in raw_csv.decode()


def test_who_may_export(
    login,
    project,
    sponsor_lead,
    cdmo_pm,
    cdmo_sme,
    decision_maker,
    sponsor_exec,
    cdmo_admin,
    outsider,
    sponsor_member_off_team,
):
    url = reverse("projects:audit_export", args=[project.pk])
    history = reverse("projects:history", args=[project.pk])
    for user in (sponsor_lead, cdmo_pm, sponsor_exec, cdmo_admin):
        client = login(user)
        assert client.get(url).status_code == 200
        assert url in client.get(history).content.decode()
    for user in (cdmo_sme, decision_maker):
        client = login(user)
        assert client.get(url).status_code == 404
        assert (
            client.post(url, {"start": "2026-01-01", "end": "2026-12-01", "format": "json"}).status_code
            == 404
        )
        assert url not in client.get(history).content.decode()
    for user in (outsider, sponsor_member_off_team):
        assert login(user).get(url).status_code == 404
    assert not Document.objects.exists()


def test_the_worker_refuses_someone_who_left_the_team(
    login, project, cdmo_pm, django_capture_on_commit_callbacks
):
    client = login(cdmo_pm)
    ProjectMember.objects.filter(user=cdmo_pm).update(removed_at=timezone.now())
    document = Document.objects.create(
        requested_by=cdmo_pm,
        organization=cdmo_pm.organization,
        kind=kind("json"),
        title="audit trail JSON",
        parameters={"project": project.pk, "start": "2026-01-01", "end": "2026-12-01"},
        created_at=timezone.now(),
    )
    with pytest.raises(PermanentTaskError):
        build_document(document_id=document.pk)
    document.refresh_from_db()
    assert document.is_failed and "no longer" in document.error
    assert client.get(document.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "data, field",
    [
        ({"start": "2026-12-02", "end": "2026-12-01", "format": "pdf"}, "end"),
        ({"start": "2026-02-31", "end": "2026-12-01", "format": "pdf"}, "start"),
        ({"start": "1900-01-01", "end": "2026-12-01", "format": "pdf"}, "start"),
        ({"start": "2001-01-01", "end": "2026-12-01", "format": "pdf"}, "end"),
        ({"start": "2026-01-01", "end": "", "format": "pdf"}, "end"),
        ({"start": "2026-01-01", "end": "2026-12-01", "format": "xlsx"}, "format"),
        ({"start": "2026-01-01\x00", "end": "2026-12-01", "format": "pdf"}, "start"),
    ],
)
def test_bad_input_returns_the_form_with_errors(login, project, cdmo_pm, data, field):
    response = login(cdmo_pm).post(reverse("projects:audit_export", args=[project.pk]), data)
    assert response.status_code == 200
    assert field in response.context["export_form"].errors
    assert not Document.objects.exists()


def test_names_in_the_page_margins_cannot_break_out_of_the_style_sheet():
    hostile = 'Ann "</style><script>x</script>\\'
    written = css_string(hostile)
    assert written.startswith('"') and written.endswith('"')
    assert "<" not in written and ">" not in written and '"' not in written[1:-1]
    assert written == '"Ann \\22 \\3c /style\\3e \\3c script\\3e x\\3c /script\\3e \\5c "'
