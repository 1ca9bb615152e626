"""Email backends standing in for the email provider in tests (the provider is the only thing mocked).

FileBackend: one line per accepted message appended to $NOTIFICATION_TEST_MAIL_LOG, so a
test can count what separate worker processes sent. Each line is
"<notification id>\t<recipient>\t<worker name>\t<subject>".
  $NOTIFICATION_TEST_SEND_DELAY   seconds to take before accepting each message
  $NOTIFICATION_TEST_HANG_SUBJECT a message whose subject contains this never finishes
                                  (the test kills the worker while it hangs)

FlakyBackend: fails the first `FlakyBackend.failures_left` sends the way a provider
outage does, then delivers into django.core.mail.outbox like the locmem backend.
"""

import os
import smtplib
import time

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend


class FileBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        path = os.environ["NOTIFICATION_TEST_MAIL_LOG"]
        worker = os.environ.get("NOTIFICATION_TEST_WORKER", "test-process")
        delay = float(os.environ.get("NOTIFICATION_TEST_SEND_DELAY", "0"))
        hang_on = os.environ.get("NOTIFICATION_TEST_HANG_SUBJECT")
        for message in email_messages:
            if hang_on and hang_on in message.subject:
                while True:  # a provider that never answers; the worker gets killed here
                    time.sleep(1)
            if delay:
                time.sleep(delay)
            line = "\t".join(
                [
                    message.extra_headers.get("X-Meridian-Notification", "?"),
                    ",".join(message.to),
                    worker,
                    message.subject,
                ]
            )
            # One write per line with O_APPEND: lines from several processes never interleave.
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, (line.replace("\n", " ") + "\n").encode())
            finally:
                os.close(fd)
        return len(email_messages)


class FlakyBackend(BaseEmailBackend):
    failures_left = 0
    default_error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    error = default_error

    def send_messages(self, email_messages):
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            raise FlakyBackend.error
        if not hasattr(mail, "outbox"):
            mail.outbox = []
        for message in email_messages:
            message.message()  # render it, as a real backend would
            mail.outbox.append(message)
        return len(email_messages)
