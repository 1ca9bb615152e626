"""The projects app's tables, split by sub-domain; everything is re-exported here."""

from .attachments import (
    AttachmentFrozenWhenPublished,
    AttachmentType,
    UpdateAttachment,
    attachment_upload_to,
)
from .changes import (
    MAX_IMPACT_DAYS,
    MAX_OPTIONS,
    ChangeOption,
    ChangeRequest,
    ChangeStatus,
    MilestoneBaseline,
    MilestoneImpact,
)
from .decisions import (
    DecisionRequest,
    DecisionStatus,
)
from .discussion import (
    CommentKind,
    UpdateComment,
)
from .milestones import (
    OPEN_MILESTONE_STATUSES,
    DaysBetween,
    Milestone,
    MilestoneForecastChange,
    MilestoneKind,
    MilestoneQuerySet,
    MilestoneStatus,
)
from .project import (
    PROJECT_EDITABLE_FIELDS,
    Modality,
    Phase,
    Project,
    ProjectStatus,
    ProposalStatus,
    ServiceScope,
)
from .team import (
    CDMO_ROLES,
    SPONSOR_ROLES,
    ProjectMember,
    Side,
    TeamRole,
    side_of_role,
)
from .updates import (
    RAG,
    RAG_FIELDS,
    UPDATE_CONTENT_FIELDS,
    StatusUpdate,
    StatusUpdateQuerySet,
    UpdateAcknowledgement,
    UpdateStatus,
    json_date,
)

__all__ = [
    "PROJECT_EDITABLE_FIELDS",
    "AttachmentFrozenWhenPublished",
    "AttachmentType",
    "CDMO_ROLES",
    "ChangeOption",
    "ChangeRequest",
    "ChangeStatus",
    "MAX_IMPACT_DAYS",
    "MAX_OPTIONS",
    "MilestoneBaseline",
    "MilestoneImpact",
    "CommentKind",
    "DaysBetween",
    "DecisionRequest",
    "DecisionStatus",
    "Milestone",
    "MilestoneForecastChange",
    "MilestoneKind",
    "MilestoneQuerySet",
    "MilestoneStatus",
    "Modality",
    "OPEN_MILESTONE_STATUSES",
    "Phase",
    "Project",
    "ProjectMember",
    "ProjectStatus",
    "ProposalStatus",
    "RAG",
    "RAG_FIELDS",
    "SPONSOR_ROLES",
    "ServiceScope",
    "Side",
    "StatusUpdate",
    "StatusUpdateQuerySet",
    "TeamRole",
    "UPDATE_CONTENT_FIELDS",
    "UpdateAcknowledgement",
    "UpdateAttachment",
    "UpdateComment",
    "UpdateStatus",
    "attachment_upload_to",
    "json_date",
    "side_of_role",
]
