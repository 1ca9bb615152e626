"""Writes for projects, split by sub-domain; every service is re-exported here."""

from ._checks import require_same_project
from .agreement_proposal import agreement_proposal_edit
from .agreements import (
    AgreementTerms,
    agreement_draft,
    agreement_propose_change,
    agreement_sign,
)
from .attachments import (
    attachment_add,
    attachment_remove,
)
from .change_edit import change_edit
from .changes import (
    STALE_DECISION,
    OptionDraft,
    change_approve,
    change_raise,
    change_reject,
    change_withdraw,
)
from .decisions import (
    decision_resolve,
)
from .discussion import (
    comment_post,
    question_answer,
)
from .milestones import (
    MILESTONE_EDITABLE_FIELDS,
    milestone_change_forecast,
    milestone_create,
    milestone_edit,
    milestone_set_status,
    milestone_update,
)
from .project import (
    project_create,
    project_update,
)
from .proposals import (
    proposal_accept,
    proposal_decline,
    require_decidable,
)
from .team import (
    team_member_add,
    team_member_change,
    team_member_remove,
)
from .updates import (
    RECORD_MESSAGE,
    UPDATE_DRAFT_FIELDS,
    UpdateNotReady,
    publish_problems,
    update_acknowledge,
    update_correct,
    update_discard,
    update_publish,
    update_save_draft,
    update_start,
)

__all__ = [
    "agreement_proposal_edit",
    "AgreementTerms",
    "agreement_draft",
    "agreement_propose_change",
    "agreement_sign",
    "require_same_project",
    "MILESTONE_EDITABLE_FIELDS",
    "RECORD_MESSAGE",
    "UPDATE_DRAFT_FIELDS",
    "UpdateNotReady",
    "attachment_add",
    "attachment_remove",
    "comment_post",
    "OptionDraft",
    "STALE_DECISION",
    "change_edit",
    "change_approve",
    "change_raise",
    "change_reject",
    "change_withdraw",
    "decision_resolve",
    "milestone_change_forecast",
    "milestone_create",
    "milestone_edit",
    "milestone_set_status",
    "milestone_update",
    "project_create",
    "proposal_accept",
    "proposal_decline",
    "require_decidable",
    "project_update",
    "publish_problems",
    "question_answer",
    "team_member_add",
    "team_member_change",
    "team_member_remove",
    "update_acknowledge",
    "update_correct",
    "update_discard",
    "update_publish",
    "update_save_draft",
    "update_start",
]
