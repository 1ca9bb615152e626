"""Forms for projects, split by sub-domain; re-exported here."""

from ._options import (
    ApproveOptionForm,
    RejectForm,
)
from .agreements import (
    AgreementChangeForm,
    AgreementForm,
    AgreementProposalEditForm,
)
from .attachments import (
    AttachmentForm,
)
from .change_log import (
    ChangeLogFilterForm,
)
from .changes import (
    ChangeWithdrawForm,
    change_forms,
    filled_options,
)
from .decisions import (
    DecisionResolveForm,
)
from .discussion import (
    AnswerForm,
    CommentForm,
)
from .milestones import (
    MilestoneChangeForm,
    MilestoneCreateForm,
    MilestoneEditForm,
)
from .picker import (
    ProjectChoice,
    ProjectPickerForm,
    ProjectPickerInput,
)
from .project import (
    ProjectCreateForm,
    ProjectFilterForm,
    ProjectForm,
    ProposalDeclineForm,
)
from .team import (
    TeamMemberAddForm,
    TeamMemberChangeForm,
    roles_for_side,
)
from .updates import (
    DecisionFormSet,
    DecisionNeededForm,
    NextStepForm,
    NextStepFormSet,
    StatusUpdateForm,
    update_content,
    update_forms,
)

__all__ = [
    "AgreementProposalEditForm",
    "AgreementChangeForm",
    "AgreementForm",
    "ApproveOptionForm",
    "RejectForm",
    "change_forms",
    "filled_options",
    "AnswerForm",
    "AttachmentForm",
    "CommentForm",
    "ChangeLogFilterForm",
    "ChangeWithdrawForm",
    "DecisionFormSet",
    "DecisionNeededForm",
    "DecisionResolveForm",
    "ProposalDeclineForm",
    "MilestoneChangeForm",
    "MilestoneCreateForm",
    "MilestoneEditForm",
    "NextStepForm",
    "NextStepFormSet",
    "ProjectCreateForm",
    "ProjectChoice",
    "ProjectFilterForm",
    "ProjectPickerForm",
    "ProjectPickerInput",
    "ProjectForm",
    "StatusUpdateForm",
    "TeamMemberAddForm",
    "TeamMemberChangeForm",
    "roles_for_side",
    "update_content",
    "update_forms",
]
