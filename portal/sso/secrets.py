"""Client secrets encrypted at rest with Fernet.

The key comes from the environment: SSO_SECRET_KEYS, a comma-separated list of Fernet keys (the first
encrypts, every one decrypts, so a key is rotated by putting the new one first). Without it the key
is derived from SECRET_KEY, which ties the secrets to it: production sets SSO_SECRET_KEYS
(docs/sso.md).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret was encrypted with a key we no longer have."""


def _fernet() -> MultiFernet:
    keys = [key.strip() for key in settings.SSO_SECRET_KEYS if key.strip()]
    if not keys:
        digest = hashlib.sha256(f"portal-sso-client-secrets:{settings.SECRET_KEY}".encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("The client secret cannot be decrypted with the configured keys.") from exc
