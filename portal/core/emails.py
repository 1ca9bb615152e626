"""Every email is a subject/text/HTML triple of templates under templates/emails/, and every
email message is built here (`build_message`), where header values are made single-line: a title
that carries a line break or another control character can never make a send fail with
BadHeaderError (or inject a header)."""

import re
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

# C0 controls (CR, LF, tab, NUL…), DEL, C1 controls and the Unicode line/paragraph separators.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_value(value: str) -> str:
    """`value` safe for a mail header: control characters become one space, ends trimmed."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", value or "").split())


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, "PORTAL_NAME": settings.PORTAL_NAME, **context}
    subject = header_value(render_to_string(f"emails/{template}-subject.txt", context))
    text = render_to_string(f"emails/{template}-body.txt", context)
    html = render_to_string(f"emails/{template}-body.html", context)
    return subject, text, html


def build_message(
    *,
    subject: str,
    text: str,
    html: str = "",
    to: list[str],
    headers: dict | None = None,
    attachments=(),
    connection=None,
) -> EmailMultiAlternatives:
    """The one place an email message is made: subject, addresses and headers single-line."""
    message = EmailMultiAlternatives(
        subject=header_value(subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[header_value(address) for address in to],
        headers={name: header_value(str(value)) for name, value in (headers or {}).items()},
        connection=connection,
    )
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(*attachment)
    return message


def attachment(filename: str, content: bytes, mimetype: str) -> tuple:
    """One attachment for `build_message`. A calendar entry ("text/calendar; method=REQUEST")
    becomes a text/calendar part carrying its METHOD parameter, which mail clients look for."""
    content_type, _, parameters = mimetype.partition(";")
    if content_type.strip() != "text/calendar":
        return (filename, content, content_type.strip())
    part = MIMEText(content.decode("utf-8"), "calendar", "utf-8")
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip() and value.strip():
            part.set_param(name.strip(), value.strip())
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return (part,)


def send_templated_email(template: str, context: dict, *, to: list[str], attachments=()) -> None:
    subject, text, html = render_email(template, context)
    build_message(subject=subject, text=text, html=html, to=to, attachments=attachments).send()
