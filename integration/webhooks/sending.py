"""One attempt at one delivery: claim it, sign it, POST it, write down what came back.

Exactly-once as far as the portal can make it:
- A delivery is claimed with a compare-and-set UPDATE (pending, or sending with its claim run
  out) before anything is sent, so two workers holding the same outbox message never send it
  together, and a delivery already delivered is never sent again.
- A worker killed after its POST left but before it wrote "delivered" leaves the delivery
  claimed; once the claim runs out the relay's re-send tries again. The receiver then sees the
  same event twice, with the same event id (`id` in the body, `Meridian-Event-Id` header): that
  id is its key to drop the second one. No sender can do better over HTTP.

Failures (a non-2xx answer, a timeout, a refused connection, a redirect) are retried with
exponential back-off (WEBHOOK_RETRY_BASE_SECONDS, doubling) up to WEBHOOK_MAX_ATTEMPTS; every
failed attempt counts against the subscription, and WEBHOOK_PAUSE_AFTER_FAILURES in a row
pause it and tell its organization's admins (services.pause_failing).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import payloads, services, signing
from .models import DeliveryStatus, SubscriptionStatus, WebhookDelivery, WebhookSubscription


def max_attempts() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 6))


def backoff(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: 30 s, 1 min, 2 min... at most an hour."""
    base = float(getattr(settings, "WEBHOOK_RETRY_BASE_SECONDS", 30))
    return min(3600.0, base * 2 ** max(attempts - 1, 0))


def _claim_seconds() -> float:
    # Longer than one POST can take, so a live worker keeps its claim.
    return float(getattr(settings, "WEBHOOK_CLAIM_SECONDS", 60))


def timeout_seconds() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 5))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new destination: an endpoint moved is reported, never
    followed (a redirect could lead from https to http or into the portal's own network)."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Answer:
    code: int | None
    ms: int
    error: str

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


def destination_problem(url: str) -> str:
    """Why the portal will not send to `url` now ("" when it will): only https, and never to a
    loopback, private or link-local address (the portal's own network) unless
    WEBHOOK_ALLOW_LOCAL (tests, a developer's machine) allows plain http to this machine."""
    parts = urlsplit(url)
    allow_local = getattr(settings, "WEBHOOK_ALLOW_LOCAL", False)
    if parts.scheme != "https" and not (allow_local and parts.scheme == "http"):
        return "The endpoint must use https://."
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as error:
        return f"The endpoint's host name does not resolve: {error}"
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global and not (allow_local and address.is_loopback):
            return "The endpoint resolves to a private or local address; the portal does not send there."
    return ""


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    started = time.monotonic()
    problem = destination_problem(url)
    if problem:
        return Answer(None, 0, problem)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=timeout_seconds()) as response:
            response.read(1024)
            code, error = response.status, ""
    except urllib.error.HTTPError as answer:  # a 3xx, 4xx or 5xx: the endpoint answered
        code, error = answer.code, f"HTTP {answer.code}"
    except (urllib.error.URLError, OSError, ValueError) as failure:
        reason = getattr(failure, "reason", failure)
        code, error = None, f"{type(reason).__name__}: {reason}"[:500]
    return Answer(code, int((time.monotonic() - started) * 1000), error)


def _claim(delivery_id: int, now: dt.datetime) -> WebhookDelivery | None:
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .filter(Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING, claimed_until__lt=now))
        .update(
            status=DeliveryStatus.SENDING,
            claimed_until=now + dt.timedelta(seconds=_claim_seconds()),
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("subscription", "project").get(pk=delivery_id)


def headers_for(
    delivery: WebhookDelivery, body: bytes, secret: str, previous: tuple[str, ...] = ()
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": f"{settings.PORTAL_NAME}-Webhooks/1",
        "Meridian-Event": delivery.event,
        "Meridian-Event-Id": str(delivery.event_id),
        "Meridian-Delivery": str(delivery.pk),
        signing.HEADER: signing.signature(secret, body, int(time.time()), also=previous),
    }


def attempt(delivery_id: int) -> float | None:
    """Send `delivery_id` once if it is still to be sent. Returns the seconds to wait before
    the next attempt when this one failed and another is due; None otherwise."""
    now = timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None  # delivered, given up, or a live worker is sending it
    subscription = delivery.subscription
    if subscription.status != SubscriptionStatus.ACTIVE:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SKIPPED, claimed_until=None, error=f"Subscription {subscription.status}."
        )
        return None
    try:
        secret = signing.decrypt(subscription.secret_encrypted)
    except InvalidToken:
        # The key changed under it (WEBHOOK_SECRET_KEY set or changed): a failure like any other,
        # so the subscription ends up paused and its admins told to rotate the secret.
        answer = Answer(None, 0, "The signing secret cannot be read any more; rotate the secret.")
        return _record(delivery, answer)
    body = payloads.encode(payloads.payload(delivery))
    answer = post(subscription.url, body, headers_for(delivery, body, secret, _previous(subscription, now)))
    return _record(delivery, answer)


def _previous(subscription: WebhookSubscription, now: dt.datetime) -> tuple[str, ...]:
    """The secret before the last rotation while its overlap lasts (a second `v1=`), else none.
    One the key no longer opens is left out: the new secret's signature is there anyway."""
    if not subscription.previous_secret_signs_at(now):
        return ()
    try:
        return (signing.decrypt(subscription.previous_secret_encrypted),)
    except InvalidToken:
        return ()


def _record(delivery: WebhookDelivery, answer: Answer) -> float | None:
    now = timezone.now()
    log = [
        *delivery.attempt_log,
        {"at": now.isoformat(), "code": answer.code, "ms": answer.ms, "error": answer.error},
    ]
    common = {
        "attempt_log": log,
        "response_code": answer.code,
        "duration_ms": answer.ms,
        "error": answer.error[:500],
        "claimed_until": None,
    }
    subscriptions = WebhookSubscription.objects.filter(pk=delivery.subscription_id)
    with transaction.atomic():
        if answer.ok:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None, **common
            )
            subscriptions.exclude(consecutive_failures=0).update(consecutive_failures=0)
            return None
        again = delivery.attempts < max_attempts()
        wait = backoff(delivery.attempts) if again else None
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING if again else DeliveryStatus.FAILED,
            next_attempt_at=now + dt.timedelta(seconds=wait) if again else None,
            **common,
        )
        subscriptions.update(consecutive_failures=F("consecutive_failures") + 1)
        services.pause_if_failing(subscription_id=delivery.subscription_id, last_error=answer.error)
    return wait
