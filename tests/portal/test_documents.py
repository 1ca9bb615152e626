"""Documents built in the background (portal/documents): queued with the request, claimed once,
progress on record, failure shown with "Try again", never built twice. The kinds here are
registered the way an app registers its own (register_document_kind); tasks run eagerly through
the real outbox path."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction

from portal.core.models import OutboxStatus, OutboxTask
from portal.core.task_base import PermanentTaskError
from portal.documents import registry, services
from portal.documents.models import Document, DocumentStatus
from portal.documents.registry import Built, register_document_kind
from portal.notifications.models import Notification
from tests.factories.documents import DocumentFactory
from tests.factories.organizations import SponsorFactory, UserFactory

pytestmark = pytest.mark.django_db
BUILD = "documents.build"


class Report:
    """A document kind for these tests: records the progress the database held while it ran,
    and fails (once, or always) when told to."""

    def __init__(self):
        self.calls = 0
        self.failures = 0
        self.error = PermanentTaskError("The figures are being recalculated; ask again in a minute.")
        self.seen = []

    def build(self, document, progress):
        self.calls += 1
        progress(1, 4, "Counting")
        row = Document.objects.get(pk=document.pk)
        self.seen.append((row.status, row.done, row.total, row.stage))
        if self.failures:
            self.failures -= 1
            raise self.error
        progress(4, 4, "Writing")
        return Built(content=b"%PDF-1.7\n% report\n", filename="report.pdf")


@pytest.fixture
def report():
    kind = Report()
    register_document_kind("tests.report", kind.build, title="test report")
    yield kind
    registry._kinds.pop("tests.report")


@pytest.fixture
def person(db):
    return UserFactory(organization=SponsorFactory(), email="person@acme.test")


def _request(user, parameters=None, *, capture):
    with capture(execute=True):
        return services.request_document(user=user, kind="tests.report", parameters=parameters or {"q": "x"})


def test_the_worker_records_progress_and_hands_the_file_over(
    report, person, django_capture_on_commit_callbacks
):
    document = _request(person, capture=django_capture_on_commit_callbacks)
    document.refresh_from_db()
    assert report.seen == [(DocumentStatus.RUNNING, 1, 4, "Counting")]
    assert (document.status, document.done, document.total, document.stage) == ("ready", 4, 4, "")
    assert document.file.read() == b"%PDF-1.7\n% report\n"
    assert document.started_at and document.finished_at
    assert OutboxTask.objects.get(task_name=BUILD).status == OutboxStatus.DONE
    [email] = mail.outbox
    assert f"/documents/{document.pk}/download/" in email.body


def test_a_second_click_and_a_second_run_build_once(
    report, person, client, django_capture_on_commit_callbacks
):
    client.force_login(person)
    first = services.request_document(user=person, kind="tests.report", parameters={"q": "x"})
    second = services.request_document(user=person, kind="tests.report", parameters={"q": "x"})
    assert first == second and Document.objects.count() == 1
    assert OutboxTask.objects.filter(task_name=BUILD).count() == 1
    other = services.request_document(user=person, kind="tests.report", parameters={"q": "y"})
    assert other != first  # other filters: another document

    assert services.build_document(document_id=first.pk) == "ready"
    first.refresh_from_db()
    stored = first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert services.build_document(document_id=first.pk) == "ready already"
    first.refresh_from_db()
    assert report.calls == 1 and first.file.name == stored and first.attempts == 1
    assert Notification.objects.filter(kind="document.ready", recipient=person).count() == 1
    # Once ready, the same click asks for a fresh one (the data may have changed).
    assert services.request_document(user=person, kind="tests.report", parameters={"q": "x"}) != first


def test_a_document_a_live_worker_holds_is_not_taken_over_a_stale_one_is(report, person):
    document = DocumentFactory(
        requested_by=person, kind="tests.report", status=DocumentStatus.RUNNING, done=0, total=0, file=""
    )
    Document.objects.filter(pk=document.pk).update(progress_at=dt.datetime.now(dt.UTC), attempts=1)
    assert services.build_document(document_id=document.pk) == "skipped"
    assert report.calls == 0
    Document.objects.filter(pk=document.pk).update(
        progress_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    )
    assert services.build_document(document_id=document.pk) == "ready"
    document.refresh_from_db()
    assert report.calls == 1 and document.attempts == 2 and document.is_ready


def test_a_failure_is_shown_with_try_again_which_builds_a_new_document(
    report, person, client, django_capture_on_commit_callbacks
):
    report.failures = 1
    client.force_login(person)
    with pytest.raises(PermanentTaskError):
        _request(person, capture=django_capture_on_commit_callbacks)
    failed = Document.objects.get()
    assert failed.status == DocumentStatus.FAILED and failed.finished_at
    assert failed.error == "The figures are being recalculated; ask again in a minute."
    assert OutboxTask.objects.get(task_name=BUILD).status == OutboxStatus.FAILED
    page = client.get(failed.get_absolute_url()).content.decode()
    assert "It could not be built." in page and failed.error in page
    assert f'action="/documents/{failed.pk}/retry/"' in page and "Try again" in page
    assert f"/documents/{failed.pk}/download/" not in page
    assert client.get(f"/documents/{failed.pk}/download/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/documents/{failed.pk}/retry/")
    retried = Document.objects.exclude(pk=failed.pk).get()
    assert response["Location"] == retried.get_absolute_url()
    assert retried.is_ready and retried.parameters == failed.parameters
    failed.refresh_from_db()
    assert failed.status == DocumentStatus.FAILED  # the failure stays on record
    assert client.get(f"/documents/{retried.pk}/download/").status_code == 200


def test_an_error_worth_retrying_puts_it_back_in_the_queue_until_the_last_attempt(report, person):
    report.failures, report.error = 2, ConnectionError("database restarting")
    document = DocumentFactory(
        requested_by=person, kind="tests.report", status=DocumentStatus.QUEUED, file=""
    )
    with pytest.raises(ConnectionError):
        services.build_document(document_id=document.pk, last_attempt=False)
    document.refresh_from_db()
    assert document.status == DocumentStatus.QUEUED and document.error == ""  # the retry will claim it
    with pytest.raises(ConnectionError):
        services.build_document(document_id=document.pk, last_attempt=True)
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED and document.error == services.UNEXPECTED
    assert "database restarting" not in document.error  # the details are for staff (the outbox row)


def test_the_page_polls_until_finished_and_works_without_javascript(report, person, client):
    client.force_login(person)
    document = services.request_document(user=person, kind="tests.report", parameters={})
    page = client.get(document.get_absolute_url()).content.decode()
    assert "<progress" in page and "We'll also email you a link when it's ready" in page
    assert 'hx-trigger="every 2s"' in page and "reload it" in page
    assert "style=" not in page.split("<main", 1)[1]
    fragment = client.get(document.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="document-status"') and 'hx-trigger="every 2s"' in fragment
    services.build_document(document_id=document.pk)
    fragment = client.get(document.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and f"/documents/{document.pk}/download/" in fragment


def test_a_document_cannot_be_deleted(person):
    document = DocumentFactory(requested_by=person)
    with pytest.raises(Exception, match="Cannot delete"), transaction.atomic():
        document.delete()


def test_the_document_page_costs_the_same_queries_however_many_documents(
    person, client, django_assert_max_num_queries
):
    client.force_login(person)
    document = DocumentFactory(requested_by=person)
    client.get(document.get_absolute_url())  # the session, warmed
    with django_assert_max_num_queries(8):
        assert client.get(document.get_absolute_url()).status_code == 200
    DocumentFactory.create_batch(15, requested_by=person)
    with django_assert_max_num_queries(8):
        assert client.get(document.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/documents/").status_code == 200
