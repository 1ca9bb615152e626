"""Settings of the integration layer (webhooks, the read API), read from the environment;
portal/settings.py takes them all. WEBHOOK_ALLOW_LOCAL stays there (it follows DEBUG)."""

import os

# Webhooks (docs/webhooks.md). The subscriptions' secrets are encrypted with a key derived from
# WEBHOOK_SECRET_KEY (SECRET_KEY when unset). Endpoints are https:// and public.
WEBHOOK_SECRET_KEY = os.environ.get("WEBHOOK_SECRET_KEY", "")
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
WEBHOOK_CLAIM_SECONDS = float(os.environ.get("WEBHOOK_CLAIM_SECONDS", "60"))
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "30"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "6"))
WEBHOOK_PAUSE_AFTER_FAILURES = int(os.environ.get("WEBHOOK_PAUSE_AFTER_FAILURES", "10"))
# After a rotation, deliveries carry signatures with both secrets for this long.
WEBHOOK_SECRET_OVERLAP_HOURS = float(os.environ.get("WEBHOOK_SECRET_OVERLAP_HOURS", "24"))

# The read API (integration/api, docs/api.md): requests per token per window, counted in Redis.
API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "120"))
API_RATE_WINDOW_SECONDS = int(os.environ.get("API_RATE_WINDOW_SECONDS", "60"))
# Requests refused at the door (no token, or not a live one) per client address per window.
API_REFUSED_RATE_LIMIT = int(os.environ.get("API_REFUSED_RATE_LIMIT", "30"))
# How long a new token lives unless its admin says otherwise, and at most.
API_TOKEN_DEFAULT_DAYS = 90
API_TOKEN_MAX_DAYS = 366
