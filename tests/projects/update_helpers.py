"""Shared helpers for the milestone and status-update tests."""

import datetime

from django.utils import timezone

from portal.signatures.registry import signed_action
from projects import services
from projects.selectors import access_for
from tests.factories.organizations import DEFAULT_PASSWORD


def access(user, project):
    return access_for(user=user, project=project)


def ready_draft(pm, project, **overrides):
    """A complete draft, ready to publish, through the services."""
    update = services.update_start(access=access(pm, project))
    content = {
        "title": "EB-02 complete; titre above target",
        "overall_rag": "green",
        "schedule_rag": "green",
        "budget_rag": "amber",
        "quality_rag": "green",
        "supply_rag": "green",
        "summary": "Engineering batch EB-02 completed at 200 L; titre 3.1 g/L vs 2.8 target.",
        "progress": "Harvest, capture and viral inactivation done.",
        "risks": "Protein A resin lead time is 10 weeks.",
        "next_steps": [
            {
                "description": "Start GMP-01",
                "due": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            }
        ],
        "decisions_needed": [],
    }
    content.update(overrides)
    return services.update_save_draft(
        access=access(pm, project), update=update, version=update.version, **content
    )


def published_update(pm, project, **overrides):
    draft = ready_draft(pm, project, **overrides)
    return services.update_publish(access=access(pm, project), update=draft, version=draft.version)


def project_edit_form(project, **overrides) -> dict:
    """The project edit form as the page renders it for `project`, with `overrides` typed in."""
    data = {
        "code": project.code,
        "name": project.name,
        "description": project.description,
        "modality": project.modality,
        "phase": project.phase,
        "service_scope": project.service_scope,
        "status": project.status,
        "start_date": project.start_date.isoformat(),
        "update_cadence_days": project.update_cadence_days,
        "question_response_days": project.question_response_days,
        "version": project.version,
    }
    data.update(overrides)
    return data


def in_future(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def signed_step(step, record, action, *, meaning, password=DEFAULT_PASSWORD, **fields):
    """A decider's dialog posted (views/_dialogs.py): the step's own fields and its signature."""
    return {
        "step": step,
        **{f"{step}-{name}": value for name, value in fields.items()},
        f"sign-{step}-meaning": meaning,
        f"sign-{step}-shown": signed_action(action).digest(record),
        f"sign-{step}-password": password,
    }
