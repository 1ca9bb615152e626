"""Pages of the service-issue log, by sub-domain. Thin: a selector to read, a service to write.

Every page that shows an issue goes through `project_page` (which 404s anyone
who cannot see the project) and then looks the issue up inside that project.
"""

from .agreements import agreements_view
from .attachments import attachment_download_view, issue_attachments_view
from .log import issue_detail_view, issue_list_view, issue_note_view, issue_raise_view, project_issues_view
from .recognition import kudos_view, recognition_received_view
from .responses import issue_action_view

__all__ = [
    "agreements_view",
    "attachment_download_view",
    "issue_action_view",
    "issue_attachments_view",
    "issue_detail_view",
    "issue_list_view",
    "issue_note_view",
    "issue_raise_view",
    "kudos_view",
    "project_issues_view",
    "recognition_received_view",
]
