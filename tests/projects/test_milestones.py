"""Milestones: slip, forecast changes with reasons ("no surprises"), the tab with its timeline, in-place edits."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from portal.core.exceptions import ConcurrentEditError, NotAllowed, ServiceError
from projects import services
from projects.models import Milestone, MilestoneForecastChange, MilestoneStatus
from projects.selectors import milestones_for_project
from tests.factories.projects import MilestoneFactory

from .update_helpers import access

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _milestone(project, **kwargs):
    kwargs.setdefault("baseline_date", TODAY() + datetime.timedelta(days=30))
    return MilestoneFactory(project=project, **kwargs)


def test_slip_is_forecast_or_actual_minus_baseline(project):
    baseline = datetime.date(2026, 3, 1)
    late = _milestone(project, baseline_date=baseline, forecast_date=baseline + datetime.timedelta(days=9))
    early_done = _milestone(
        project,
        baseline_date=baseline,
        forecast_date=baseline + datetime.timedelta(days=20),
        actual_date=baseline - datetime.timedelta(days=3),
        status=MilestoneStatus.DONE,
    )
    assert late.slip_days == 9
    assert early_done.slip_days == -3  # the actual date wins over the forecast
    annotated = {m.pk: m.slip for m in milestones_for_project(project=project)}
    assert annotated == {late.pk: 9, early_done.pk: -3}


def test_forecast_change_records_the_move_and_tells_the_sponsor_team(
    project, cdmo_pm, sponsor_lead, decision_maker, django_capture_on_commit_callbacks
):
    milestone = _milestone(project, title="GMP batch GMP-01")
    old = milestone.forecast_date
    new = old + datetime.timedelta(days=12)
    with django_capture_on_commit_callbacks(execute=True):
        change = services.milestone_change_forecast(
            access=access(cdmo_pm, project),
            milestone=milestone,
            new_date=new,
            reason="Media lot failed incoming QC.",
            version=milestone.version,
        )
    milestone.refresh_from_db()
    assert milestone.forecast_date == new and milestone.slip_days == 12
    assert (change.old_forecast_date, change.new_forecast_date, change.changed_by) == (old, new, cdmo_pm)
    assert change.reason == "Media lot failed incoming QC."
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([sponsor_lead.email, decision_maker.email])
    message = mail.outbox[0]
    assert "GMP batch GMP-01" in message.subject
    assert "Media lot failed incoming QC." in message.body
    assert "Media lot failed incoming QC." in message.alternatives[0][0]


@pytest.mark.parametrize("reason", ["", "   "])
def test_forecast_change_without_a_reason_is_refused(project, cdmo_pm, reason):
    milestone = _milestone(project)
    with pytest.raises(ServiceError, match="reason"):
        services.milestone_change_forecast(
            access=access(cdmo_pm, project),
            milestone=milestone,
            new_date=milestone.forecast_date + datetime.timedelta(days=3),
            reason=reason,
            version=milestone.version,
        )
    assert not MilestoneForecastChange.objects.exists()
    assert not mail.outbox


def test_forecast_change_with_a_stale_version_is_refused(project, cdmo_pm):
    milestone = _milestone(project)
    pm = access(cdmo_pm, project)
    services.milestone_change_forecast(
        access=pm,
        milestone=milestone,
        new_date=milestone.forecast_date + datetime.timedelta(days=1),
        reason="A",
        version=1,
    )
    stale = Milestone.objects.get(pk=milestone.pk)
    stale.version = 1
    with pytest.raises(ConcurrentEditError):
        services.milestone_change_forecast(
            access=pm,
            milestone=stale,
            new_date=stale.forecast_date + datetime.timedelta(days=5),
            reason="B",
            version=1,
        )
    assert MilestoneForecastChange.objects.count() == 1


def test_forecast_changes_are_append_only_in_the_database(project, cdmo_pm):
    milestone = _milestone(project)
    change = services.milestone_change_forecast(
        access=access(cdmo_pm, project),
        milestone=milestone,
        new_date=milestone.forecast_date + datetime.timedelta(days=2),
        reason="Supplier delay",
        version=milestone.version,
    )
    with pytest.raises(Exception, match="Cannot update"), transaction.atomic():
        MilestoneForecastChange.objects.filter(pk=change.pk).update(reason="nothing happened")
    with pytest.raises(Exception, match="Cannot delete"), transaction.atomic():
        MilestoneForecastChange.objects.filter(pk=change.pk).delete()


def test_done_needs_an_actual_date_in_the_past(project, cdmo_pm):
    milestone = _milestone(project)
    pm = access(cdmo_pm, project)
    with pytest.raises(ServiceError, match="actually done"):
        services.milestone_set_status(access=pm, milestone=milestone, status=MilestoneStatus.DONE, version=1)
    with pytest.raises(ServiceError, match="future"):
        services.milestone_set_status(
            access=pm,
            milestone=milestone,
            status="done",
            actual_date=TODAY() + datetime.timedelta(days=2),
            version=1,
        )
    done = services.milestone_set_status(
        access=pm, milestone=milestone, status="done", actual_date=TODAY(), version=1
    )
    assert done.actual_date == TODAY() and done.version == 2
    # The database insists too: done without an actual date cannot be stored.
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.filter(pk=milestone.pk).update(actual_date=None)


@pytest.mark.parametrize("who", ["sponsor_lead", "decision_maker", "cdmo_sme", "sponsor_exec"])
def test_only_the_cdmo_manager_side_edits_milestones(request, project, who):
    user = request.getfixturevalue(who)
    milestone = _milestone(project)
    with pytest.raises(NotAllowed):
        services.milestone_change_forecast(
            access=access(user, project),
            milestone=milestone,
            new_date=milestone.forecast_date + datetime.timedelta(days=1),
            reason="x",
            version=1,
        )
    with pytest.raises(NotAllowed):
        services.milestone_create(
            access=access(user, project), kind="other", title="X", baseline_date=TODAY()
        )


def test_cdmo_admin_can_add_a_milestone(project, cdmo_admin):
    milestone = services.milestone_create(
        access=access(cdmo_admin, project), kind="delivery", title="  Ship to depot ", baseline_date=TODAY()
    )
    assert milestone.title == "Ship to depot" and milestone.forecast_date == milestone.baseline_date


def test_milestones_tab_shows_table_slip_and_timeline(client, project, sponsor_lead):
    late = _milestone(
        project, title="Engineering batch EB-02", forecast_date=TODAY() + datetime.timedelta(days=50)
    )
    _milestone(project, title="Release <b>CoA</b>")
    client.force_login(sponsor_lead)
    response = client.get(reverse("projects:milestones", args=[project.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Engineering batch EB-02" in body
    assert f"+{late.slip_days} days" in body
    assert "<svg" in body and "Today" in body
    assert "Release &lt;b&gt;CoA&lt;/b&gt;" in body and "<b>CoA</b>" not in body  # escaped in table and SVG
    assert "+ Add milestone" not in body  # the sponsor reads, the CDMO edits
    assert "row/edit" not in body


def test_milestones_tab_empty_state_says_what_to_do(client, project, cdmo_pm):
    client.force_login(cdmo_pm)
    body = client.get(reverse("projects:milestones", args=[project.pk])).content.decode()
    assert "No milestones yet" in body and "Add the first milestone" in body


def test_milestones_tab_query_count_does_not_grow_with_milestones(
    client, project, sponsor_lead, django_assert_max_num_queries
):
    client.force_login(sponsor_lead)
    url = reverse("projects:milestones", args=[project.pk])
    for _ in range(3):
        _milestone(project)
    client.get(url)  # the first request after logging in does session bookkeeping
    with django_assert_max_num_queries(11) as small:
        client.get(url)
    for _ in range(25):
        _milestone(project)
    with django_assert_max_num_queries(11) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_htmx_row_edit_moves_the_forecast_in_place(
    client, project, cdmo_pm, sponsor_lead, django_capture_on_commit_callbacks
):
    milestone = _milestone(project, title="GMP batch GMP-01")
    client.force_login(cdmo_pm)
    url = reverse("projects:milestone_row_edit", args=[project.pk, milestone.pk])
    form = client.get(url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    new = milestone.forecast_date + datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "status": "in_progress",
                "forecast_date": new.isoformat(),
                "reason": "Bioreactor requalification",
                "version": 1,
            },
            HTTP_HX_REQUEST="true",
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith("<tr") and "+7 days" in body and "In progress" in body
    milestone.refresh_from_db()
    assert milestone.forecast_date == new and milestone.status == "in_progress"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [sponsor_lead.email]


def test_htmx_row_edit_without_a_reason_keeps_the_typed_date(client, project, cdmo_pm):
    milestone = _milestone(project)
    client.force_login(cdmo_pm)
    url = reverse("projects:milestone_row_edit", args=[project.pk, milestone.pk])
    typed = milestone.forecast_date + datetime.timedelta(days=21)
    response = client.post(
        url,
        {"status": "planned", "forecast_date": typed.isoformat(), "reason": "", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Give the reason for moving the forecast" in body
    assert f'value="{typed.isoformat()}"' in body
    milestone.refresh_from_db()
    assert milestone.forecast_date != typed and not MilestoneForecastChange.objects.exists()


def test_full_page_form_without_a_reason_comes_back_with_the_error(client, project, cdmo_pm):
    milestone = _milestone(project, title="Tech transfer")
    client.force_login(cdmo_pm)
    typed = milestone.forecast_date + datetime.timedelta(days=4)
    response = client.post(
        reverse("projects:milestone", args=[project.pk, milestone.pk]),
        {
            "title": "Tech transfer",
            "kind": "tech_transfer",
            "status": "planned",
            "forecast_date": typed.isoformat(),
            "version": 1,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Give the reason for moving the forecast" in body and f'value="{typed.isoformat()}"' in body


def test_full_page_form_saves_details_status_and_forecast_together(client, project, cdmo_pm):
    milestone = _milestone(project, title="Tech transfer")
    client.force_login(cdmo_pm)
    new = milestone.forecast_date + datetime.timedelta(days=4)
    response = client.post(
        reverse("projects:milestone", args=[project.pk, milestone.pk]),
        {
            "title": "Tech transfer package",
            "kind": "tech_transfer",
            "owner": cdmo_pm.pk,
            "status": "at_risk",
            "forecast_date": new.isoformat(),
            "reason": "Waiting for the sponsor's method validation report.",
            "notes": "",
            "version": 1,
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.title, milestone.owner, milestone.status, milestone.forecast_date) == (
        "Tech transfer package",
        cdmo_pm,
        "at_risk",
        new,
    )
    detail = client.get(milestone.get_absolute_url()).content.decode()
    assert "Waiting for the sponsor&#x27;s method validation report." in detail


def test_stale_row_edit_is_refused_with_a_message(client, project, cdmo_pm):
    milestone = _milestone(project)
    Milestone.objects.filter(pk=milestone.pk).update(version=5)
    client.force_login(cdmo_pm)
    response = client.post(
        reverse("projects:milestone_row_edit", args=[project.pk, milestone.pk]),
        {"status": "at_risk", "forecast_date": milestone.forecast_date.isoformat(), "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert "Someone else changed" in response.content.decode()
    assert Milestone.objects.get(pk=milestone.pk).status == "planned"


def test_sponsor_cannot_post_an_edit(client, project, sponsor_lead):
    milestone = _milestone(project)
    client.force_login(sponsor_lead)
    url = reverse("projects:milestone_row_edit", args=[project.pk, milestone.pk])
    assert client.post(url, {"status": "done"}, HTTP_HX_REQUEST="true").status_code == 403
    assert client.post(reverse("projects:milestone", args=[project.pk, milestone.pk]), {}).status_code == 403
    assert client.get(reverse("projects:milestone_create", args=[project.pk])).status_code == 403


def test_forecast_change_appears_in_the_project_history_for_the_sponsor(
    client, project, cdmo_pm, sponsor_lead
):
    milestone = _milestone(project, title="GMP batch GMP-01")
    services.milestone_change_forecast(
        access=access(cdmo_pm, project),
        milestone=milestone,
        new_date=milestone.forecast_date + datetime.timedelta(days=10),
        reason="Cold room excursion under investigation",
        version=1,
    )
    client.force_login(sponsor_lead)
    body = client.get(reverse("projects:history", args=[project.pk])).content.decode()
    assert "GMP batch GMP-01" in body and "Forecast moved: Cold room excursion under investigation" in body


def test_milestones_of_another_project_are_not_found(client, project, cdmo_pm, outsider):
    from projects.models import Project

    other = Project.objects.get(code="OTH-001")
    foreign = _milestone(other)
    client.force_login(cdmo_pm)
    assert client.get(reverse("projects:milestone", args=[project.pk, foreign.pk])).status_code == 404
    assert connection.vendor == "postgresql"
