import pathlib

import pytest
from django.core import mail

HERE = pathlib.Path(__file__).resolve().parent


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the on-commit work (queued emails) when the block ends, as a
    commit would; plain `django_db` tests never commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def test_email_templates(settings):
    """Adds tests/notifications/templates (emails/test-reminder-*) to the template dirs."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], HERE / "templates"]}]


@pytest.fixture
def flaky_provider(settings):
    """The email provider fails the first `FlakyBackend.failures_left` sends.

    Eager tasks then retry at once, in process (a real worker waits: see test_workers.py);
    Celery re-runs an eager task's retry itself only when it does not propagate errors.
    """
    from portal.celery import app

    from .backends import FlakyBackend

    app.conf.task_eager_propagates = False  # the autouse celery_eager fixture restores it

    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    mail.outbox = []
    FlakyBackend.failures_left = 0
    yield FlakyBackend
    FlakyBackend.failures_left = 0
    FlakyBackend.error = FlakyBackend.default_error


@pytest.fixture
def mail_log(tmp_path, monkeypatch, settings):
    """Emails sent by this process (and by worker subprocesses given the same env) land in a file."""
    path = tmp_path / "sent.log"
    path.touch()
    monkeypatch.setenv("NOTIFICATION_TEST_MAIL_LOG", str(path))
    settings.EMAIL_BACKEND = "tests.notifications.backends.FileBackend"
    return path


def sent_lines(path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text().splitlines() if line]
