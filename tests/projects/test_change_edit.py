"""Editing a change request while it is proposed: the side that raised it edits; the options are
written anew at the next revision (the earlier rows kept); a decision dialog opened before the
edit is refused and signs nothing; the other side is told what changed."""

import datetime
import re

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.urls import reverse

from portal.core.exceptions import ServiceError
from portal.notifications.models import Notification
from portal.signatures.models import Signature, SigningAttempt
from portal.signatures.registry import signed_action
from portal.signatures.services import signatures_of
from projects import services
from projects.models import ChangeOption, ChangeRequest, ChangeStatus, Milestone
from projects.selectors.changes import get_change
from projects.signing import change_signed_content
from tests.factories.organizations import DEFAULT_PASSWORD
from tests.factories.projects import MilestoneFactory, change_with_options

from .update_helpers import access, signed_step

NOW = datetime.datetime(2026, 12, 3, 15, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def milestones(project):
    return [
        MilestoneFactory(
            project=project, title="GMP batch GMP-01", baseline_date=TODAY + datetime.timedelta(30)
        ),
        MilestoneFactory(
            project=project, title="Release of GMP-01", baseline_date=TODAY + datetime.timedelta(60)
        ),
    ]


def _edit_data(change, milestones, **overrides):
    """The edit form as posted: the change as it stands, then `overrides`."""
    data = {
        "version": str(change.version),
        "title": change.title,
        "what": change.what,
        "why": change.why,
        "needed_by": change.needed_by.isoformat(),
        "recommended": "1",
        "recommendation": change.recommendation,
        "option-TOTAL_FORMS": "4",
        "option-INITIAL_FORMS": "0",
        "option-MIN_NUM_FORMS": "1",
        "option-MAX_NUM_FORMS": "4",
        "option-0-label": "Suite B",
        "option-0-description": "Transfer the process to suite B.",
        "option-0-cost_impact": "€40k for the transfer runs.",
        "option-0-quality_impact": "Comparability protocol needed.",
        "option-0-regulatory_impact": "None: same site.",
        f"option-0-days_{milestones[0].pk}": "21",
        "option-1-label": "Wait for suite A",
        "option-1-description": "Wait.",
    }
    data.update(overrides)
    return data


def _approve(change, option):
    return signed_step(
        "approve",
        change,
        "projects.change_approve",
        meaning="approved",
        option=str(option.pk),
        version=str(change.version),
    )


def _edit_url(change):
    return reverse("projects:change_edit", args=[change.project_id, change.pk])


def test_the_edit_form_is_the_raise_form_prefilled(client, project, cdmo_pm, milestones):
    change = change_with_options(project, impacts=[(milestones[0], 21)])
    client.force_login(cdmo_pm)
    page = client.get(change.get_absolute_url()).content.decode()
    assert _edit_url(change) in page
    form = client.get(_edit_url(change)).content.decode()
    assert "Edit the change request" in form and "Save the changes" in form
    assert 'value="Suite B"' in form and 'value="Wait for suite A"' in form and 'value="21"' in form
    assert f'name="version" value="{change.version}"' in form


def test_an_edit_writes_revision_2_options_and_keeps_the_old_ones(
    client, project, cdmo_pm, sponsor_lead, milestones, django_capture_on_commit_callbacks
):
    change = change_with_options(project, impacts=[(milestones[0], 21)])
    old = list(change.options.values_list("pk", "label"))
    client.force_login(cdmo_pm)
    data = _edit_data(
        change,
        milestones,
        needed_by=(TODAY + datetime.timedelta(days=20)).isoformat(),
        **{"option-0-cost_impact": "€55k", f"option-0-days_{milestones[0].pk}": "28", "recommended": "2"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_edit_url(change), data)
    assert response.status_code == 302 and response["Location"] == change.get_absolute_url()
    change.refresh_from_db()
    assert change.revision == 2 and change.version == 2 and change.is_open
    assert change.needed_by == TODAY + datetime.timedelta(days=20)
    current = change.current_options
    assert [(o.revision, o.position, o.label) for o in current] == [
        (2, 1, "Suite B"),
        (2, 2, "Wait for suite A"),
    ]
    assert current[0].cost_impact == "€55k" and [i.days for i in current[0].impacts.all()] == [28]
    assert change.recommended_option == current[1]
    # The earlier options stay as they were, as history.
    assert list(ChangeOption.objects.filter(change=change, revision=1).values_list("pk", "label")) == old
    told = Notification.objects.get(kind="change.edited")
    assert told.recipient == sponsor_lead and "was edited" in told.title
    assert "decision needed by, options and recommended option" in told.body
    page = client.get(change.get_absolute_url()).content.decode()
    current_part, earlier_part = page.split('id="earlier-revisions-title"')
    assert "€55k" in current_part and "€40k" not in current_part and "+28 days" in current_part
    # The earlier revision's options are shown collapsed below the current ones.
    assert "€40k" in earlier_part and "+21 days" in earlier_part and "€55k" not in earlier_part
    tab = client.get(reverse("projects:changes", args=[project.pk])).content.decode()
    assert 'data-label="Options">2<' in tab
    history = client.get(reverse("projects:history", args=[project.pk])).content.decode()
    history = " ".join(re.sub(r"<[^>]+>", " ", history).split())
    assert "Change request edited" in history and "Revision: 1 → 2" in history


def test_dropping_an_option_and_bad_input_come_back_with_everything_typed(
    client, project, cdmo_pm, milestones
):
    change = change_with_options(project)
    client.force_login(cdmo_pm)
    data = _edit_data(change, milestones, why="", **{"option-1-label": "", "option-1-description": ""})
    data["what"] = "Run GMP-01 in suite B, typed again."
    response = client.post(_edit_url(change), data)
    assert response.status_code == 200
    assert "Run GMP-01 in suite B, typed again." in response.content.decode()
    assert ChangeRequest.objects.get(pk=change.pk).revision == 1
    data["why"] = "Suite A's HVAC requalification overruns."
    response = client.post(_edit_url(change), data)
    assert response.status_code == 302
    assert [o.label for o in ChangeRequest.objects.get(pk=change.pk).current_options] == ["Suite B"]
    data["version"] = "2"
    response = client.post(_edit_url(change), data)  # the same again: nothing to save
    assert response.status_code == 200 and "Nothing was changed" in response.content.decode()
    assert ChangeRequest.objects.get(pk=change.pk).revision == 2


def test_two_tabs_the_second_edit_gets_a_conflict_and_keeps_its_text(client, project, cdmo_pm, milestones):
    change = change_with_options(project)
    client.force_login(cdmo_pm)
    assert (
        client.post(_edit_url(change), _edit_data(change, milestones, title="First tab")).status_code == 302
    )
    response = client.post(_edit_url(change), _edit_data(change, milestones, title="Second tab's title"))
    body = response.content.decode()
    assert response.status_code == 200 and "Someone else edited this change request" in body
    assert "Second tab&#x27;s title" in body or "Second tab's title" in body
    assert ChangeRequest.objects.get(pk=change.pk).title == "First tab"


def test_approving_with_a_stale_version_signs_nothing(client, project, cdmo_pm, decision_maker, milestones):
    change = get_change(project=project, change_id=change_with_options(project).pk)
    opened = _approve(change, change.recommended_option)
    services.change_edit(
        access=access(cdmo_pm, project),
        change=change,
        version=change.version,
        title="Move the campaign, costed again",
        what=change.what,
        why=change.why,
        needed_by=change.needed_by,
        options=[services.OptionDraft(label="Suite B", description="Transfer, costed again.")],
        recommended=0,
        recommendation=change.recommendation,
    )
    client.force_login(decision_maker)
    response = client.post(change.get_absolute_url(), opened)
    body = response.content.decode()
    assert response.status_code == 200
    assert "This change request was edited since you opened it; review the new version" in body
    assert "Transfer, costed again." in body
    assert not Signature.objects.exists() and not SigningAttempt.objects.exists()
    assert ChangeRequest.objects.get(pk=change.pk).is_open
    assert 'name="approve-version" value="2"' in body  # the dialog now carries the new version
    rejected = {
        "step": "reject",
        "reject-reason": "Too costly.",
        "reject-version": "1",
        "sign-reject-meaning": "rejected",
        "sign-reject-password": DEFAULT_PASSWORD,
    }
    body = client.post(change.get_absolute_url(), rejected).content.decode()
    assert "edited since you opened it" in body and "Too costly." in body
    assert not Signature.objects.exists() and not SigningAttempt.objects.exists()
    # The service refuses it too (a decision racing the edit).
    with pytest.raises(ServiceError, match="edited since you opened it"):
        services.change_approve(
            access=access(decision_maker, project), change=change, option=change.recommended_option, version=1
        )


def test_approving_after_an_edit_signs_the_new_content(client, project, cdmo_pm, decision_maker, milestones):
    change = change_with_options(project, impacts=[(milestones[0], 21)])
    client.force_login(cdmo_pm)
    client.post(
        _edit_url(change), _edit_data(change, milestones, **{f"option-0-days_{milestones[0].pk}": "14"})
    )
    change = get_change(project=project, change_id=change.pk)
    new_option = change.recommended_option
    assert new_option.revision == 2
    client.force_login(decision_maker)
    assert client.post(change.get_absolute_url(), _approve(change, new_option)).status_code == 302
    signature = Signature.objects.get(action="projects.change_approve")
    assert signature.content["revision"] == 2
    assert [o["option"] for o in signature.content["options"]] == [o.pk for o in change.current_options]
    assert signature.content["options"][0]["milestones"] == [{"milestone": milestones[0].pk, "days": 14}]
    decided = get_change(project=project, change_id=change.pk)
    assert signed_action("projects.change_approve").digest(decided) == signature.content_sha256
    assert [shown.intact for shown in signatures_of(decided)] == [True]
    page = client.get(change.get_absolute_url()).content.decode()
    assert "meaning Approved" in page and "Record changed after signing" not in page
    assert Milestone.objects.get(pk=milestones[0].pk).baseline_date == milestones[
        0
    ].baseline_date + datetime.timedelta(14)


def test_an_old_option_is_not_approved(project, cdmo_pm, decision_maker, milestones):
    change = change_with_options(project)
    old_option = change.recommended_option
    services.change_edit(
        access=access(cdmo_pm, project),
        change=change,
        version=1,
        title=change.title,
        what="Edited.",
        why=change.why,
        needed_by=change.needed_by,
        options=[services.OptionDraft(label="Suite B", description="Transfer.")],
        recommended=0,
        recommendation=change.recommendation,
    )
    with pytest.raises(ServiceError, match="this change request"):
        services.change_approve(access=access(decision_maker, project), change=change, option=old_option)


def test_an_unedited_change_signs_exactly_what_it_signed_before_revisions(project):
    """Revision 1 content has no `revision` key and lists every option: a signature made before
    the migration (when every row was revision 1) still verifies."""
    change = get_change(project=project, change_id=change_with_options(project).pk)
    content = change_signed_content(change)
    assert "revision" not in content
    assert list(content) == [
        "change_request", "project", "title", "what", "why", "needed_by", "raised_by", "options",
        "recommended_option", "recommendation", "decision",
    ]  # fmt: skip
    assert [o["label"] for o in content["options"]] == ["Suite B", "Wait for suite A"]


def test_the_other_side_cannot_edit_and_a_decided_change_is_not_edited(
    client, project, cdmo_pm, sponsor_lead, decision_maker, milestones
):
    change = change_with_options(project)
    client.force_login(sponsor_lead)
    assert client.get(_edit_url(change)).status_code == 403
    assert client.post(_edit_url(change), _edit_data(change, milestones, title="Mine")).status_code == 403
    assert "Edit</a>" not in client.get(change.get_absolute_url()).content.decode()
    client.force_login(decision_maker)
    client.post(change.get_absolute_url(), _approve(change, change.recommended_option))
    assert ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.APPROVED
    client.force_login(cdmo_pm)
    assert client.get(_edit_url(change)).status_code == 403
    with pytest.raises(ServiceError, match="approved; it is no longer edited"):
        services.change_edit(
            access=access(cdmo_pm, project),
            change=change,
            version=2,
            title="Late",
            what="x",
            why="y",
            needed_by=change.needed_by,
            options=[services.OptionDraft(label="A", description="B")],
            recommended=0,
            recommendation="z",
        )
    # The database refuses an edit of a decided change's content too.
    with pytest.raises(DatabaseError), transaction.atomic():
        ChangeRequest.objects.filter(pk=change.pk).update(what="Rewritten after the decision")


def test_the_change_page_query_count_does_not_grow_with_revisions(
    client, project, cdmo_pm, decision_maker, milestones, django_assert_num_queries
):
    small = change_with_options(project, impacts=[(milestones[0], 21)])
    large = change_with_options(project, impacts=[(milestones[0], 21), (milestones[1], 5)])
    client.force_login(cdmo_pm)
    for n in range(3):
        data = _edit_data(large, milestones, version=str(n + 1), what=f"Edit {n}")
        data.update(
            {
                "option-2-label": "Third",
                "option-2-description": "More.",
                f"option-2-days_{milestones[1].pk}": "3",
            }
        )
        assert client.post(_edit_url(large), data).status_code == 302
    client.force_login(decision_maker)
    client.get(small.get_absolute_url())
    with django_assert_num_queries(13) as first:  # one: how the organization signs (portal.sso.fresh)
        client.get(small.get_absolute_url())
    with django_assert_num_queries(len(first.captured_queries)):
        assert b"Third" in client.get(large.get_absolute_url()).content


def test_the_other_side_reads_a_clear_email(
    client, project, cdmo_pm, sponsor_lead, milestones, mailoutbox, django_capture_on_commit_callbacks
):
    change = change_with_options(project, title="Move GMP-01 to suite B")
    client.force_login(cdmo_pm)
    with django_capture_on_commit_callbacks(execute=True):
        data = _edit_data(change, milestones, why="The HVAC overrun is now five weeks.")
        data[f"option-0-days_{milestones[0].pk}"] = ""
        client.post(_edit_url(change), data)
    message = next(m for m in mailoutbox if sponsor_lead.email in m.to)
    assert "“Move GMP-01 to suite B” was edited" in message.subject
    assert "Changed: why." in message.body and change.get_absolute_url() in message.body
