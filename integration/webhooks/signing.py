"""The subscription's secret (made, kept encrypted, read back) and the signature of a payload.

Signature header: `Meridian-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
keyed with the subscription's secret. For WEBHOOK_SECRET_OVERLAP_HOURS after a rotation the header
carries one `v1=` per secret, the new one first (`t=…,v1=<new>,v1=<previous>`), as Stripe does:
a receiver accepts the request when any `v1` matches its secret. The timestamp is inside what is signed, so a receiver that
refuses old timestamps (`TOLERANCE_SECONDS`) refuses a replayed request; `verify()` is the
receiver's side, as docs/webhooks.md shows it.

Why encrypted, not hashed: HMAC needs the secret itself at every send, so a one-way hash (as for
passwords) cannot be used. The secret is encrypted with Fernet (`cryptography`, already a
dependency of the portal's stack: AES-128-CBC with an HMAC, authenticated, versioned tokens) under
a key derived (HKDF-SHA256) from WEBHOOK_SECRET_KEY, or SECRET_KEY when that is not set. A copy
of the database alone does not give the secrets away. Rotating SECRET_KEY keeps old secrets
readable as long as the previous key is in SECRET_KEY_FALLBACKS (MultiFernet tries each).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

HEADER = "Meridian-Signature"
TOLERANCE_SECONDS = 300
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh secret: 256 bits from the OS, shown to the admin once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _fernet_for(key_material: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"meridian webhook secrets").derive(
        key_material.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _fernet() -> MultiFernet:
    dedicated = getattr(settings, "WEBHOOK_SECRET_KEY", "")
    keys = [dedicated] if dedicated else [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(key) for key in keys if key])


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def _digest(secret: str, body: bytes, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature(secret: str, body: bytes, timestamp: int, *, also: tuple[str, ...] = ()) -> str:
    """The header's value for `body` sent at `timestamp`: one `v1=` for `secret`, then one for
    each secret in `also` (the previous secret during a rotation's overlap)."""
    digests = ",".join(f"v1={_digest(key, body, timestamp)}" for key in (secret, *also))
    return f"t={timestamp},{digests}"


def verify(secret: str, body: bytes, header: str, *, now: float | None = None) -> bool:
    """The receiver's check: one of the `v1` HMACs matches and the timestamp is recent (no
    replay). Every `v1` counts: during a rotation's overlap there are two."""
    try:
        items = [item.strip().split("=", 1) for item in header.split(",")]
        timestamp = int(next(value for key, value in items if key == "t"))
    except (ValueError, StopIteration):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = _digest(secret, body, timestamp)
    # compare_digest on every candidate (no early exit on the first match's position).
    matches = [hmac.compare_digest(expected, value) for key, value in items if key == "v1"]
    return any(matches)
