"""The updates tab marks an update with an open question, across every revision of it."""

import datetime

import pytest
from django.utils import timezone

from projects import services
from projects.models import CommentKind
from projects.selectors import get_project_for_user
from projects.selectors.updates import updates_for_project
from tests.factories.projects import StatusUpdateFactory, UpdateCommentFactory

pytestmark = pytest.mark.django_db


def _marks(user, project) -> dict[str, bool]:
    access = get_project_for_user(user=user, project_id=project.pk)[1]
    return {u.title: u.has_open_question for u in updates_for_project(access=access)}


def _corrected(root, pm):
    """A correction of `root`, published through the services as the CDMO PM does it."""
    access = get_project_for_user(user=pm, project_id=root.project_id)[1]
    draft = services.update_correct(access=access, update=root)
    draft = services.update_save_draft(
        access=access,
        update=draft,
        version=draft.version,
        title=f"{root.title} (corrected)",
        correction_reason="Titre was 3.1 g/L, not 3.4",
    )
    return services.update_publish(access=access, update=draft, version=draft.version)


def test_open_questions_follow_the_update_through_its_revisions(project, sponsor_lead, cdmo_pm):
    asked_on_root = StatusUpdateFactory(project=project, published=True, title="Week 1")
    quiet = StatusUpdateFactory(
        project=project,
        published=True,
        title="Week 2",
        period_end=timezone.localdate() - datetime.timedelta(7),
    )
    UpdateCommentFactory(update=quiet, kind=CommentKind.COMMENT)
    question = UpdateCommentFactory(update=asked_on_root, kind=CommentKind.QUESTION)
    assert _marks(sponsor_lead, project) == {"Week 1": True, "Week 2": False}

    # Corrected: the question asked on the first version still stands on the current one.
    corrected = _corrected(asked_on_root, cdmo_pm)
    assert _marks(sponsor_lead, project) == {"Week 1 (corrected)": True, "Week 2": False}

    # Answered, then asked again on the revision itself.
    pm_access = get_project_for_user(user=cdmo_pm, project_id=project.pk)[1]
    services.question_answer(access=pm_access, question=question, body="3.1 g/L is right.")
    assert _marks(cdmo_pm, project) == {"Week 1 (corrected)": False, "Week 2": False}
    UpdateCommentFactory(update=corrected, kind=CommentKind.QUESTION)
    assert _marks(cdmo_pm, project) == {"Week 1 (corrected)": True, "Week 2": False}
