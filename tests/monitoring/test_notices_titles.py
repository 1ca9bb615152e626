"""A flag's notice names its project once: in the title and the email's subject, whatever the
flag is about (the agreement's flags named the code twice: "ACM-101: … – ACM-101 working
agreement v1")."""

import datetime as dt

import pytest
import time_machine

from oversight.monitoring.models import Flag, FlagKind
from oversight.monitoring.notices import flag_title, send_flag_notices
from oversight.monitoring.services import sweep
from portal.accounts.models import User
from portal.notifications.models import Notification
from tests.factories.meetings import MeetingFactory
from tests.projects.test_working_agreement import _in_force

T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
LATER = T0 + dt.timedelta(weeks=5)


@pytest.fixture
def agreement_flags(project, sponsor_lead, cdmo_pm):
    """Both agreement flags open on ACM-101: no governance meeting for five weeks of a four-week
    rhythm, and the CDMO's escalation contact deactivated."""
    with time_machine.travel(T0, tick=False):
        _in_force(project, sponsor_lead, cdmo_pm)
    User.objects.filter(pk=cdmo_pm.pk).update(is_active=False)
    with time_machine.travel(LATER, tick=False):
        sweep(notify=False)
        send_flag_notices(now=LATER)


def _code_once(text: str, code: str = "ACM-101") -> None:
    assert text.count(code) == 1, text


@pytest.mark.parametrize(
    "kind, words",
    [
        (FlagKind.GOVERNANCE_RHYTHM_MISSED, "Governance rhythm missed"),
        (FlagKind.ESCALATION_CONTACT_LEFT, "Escalation contact left the team – working agreement v1"),
    ],
)
def test_an_agreement_flag_notice_names_the_project_once(agreement_flags, sponsor_lead, kind, words):
    notice = Notification.objects.get(kind="flag.raised", recipient=sponsor_lead, title__contains=words)
    assert notice.title == f"ACM-101: {words}"
    _code_once(notice.title)
    _code_once(notice.email_subject)
    assert "ACM-101" not in notice.body  # the explanation
    # The email's text: the title, then the project's code and name once more as its heading.
    assert notice.email_text.count("ACM-101") == 2
    assert "ACM-101 · Zanrelimab scale-up" in notice.email_text


def test_every_flag_notice_names_the_project_once(agreement_flags):
    notices = list(Notification.objects.filter(kind="flag.raised"))
    assert len({n.title for n in notices}) >= 4  # the two agreement flags and the team's gaps
    for notice in notices:
        _code_once(notice.title)
        _code_once(notice.email_subject)


@pytest.mark.parametrize(
    "title, shown",
    [
        ("ACM-101 steering committee", "steering committee"),
        ("ACM-101: steering committee", "steering committee"),
        ("Steering committee for ACM-101", "Steering committee for ACM-101"),  # not in front: kept
        ("ACM-101", "ACM-101"),  # nothing else to name it by
    ],
)
def test_an_item_named_after_its_project_is_named_without_the_code_again(project, cdmo_pm, title, shown):
    meeting = MeetingFactory(project=project, title=title)
    flag = Flag(project=project, kind=FlagKind.MINUTES_NOT_SENT, subject=meeting)
    assert flag_title(flag) == f"ACM-101: Minutes not sent – {shown}"
