"""Requests per token, counted in Redis in fixed windows (API_RATE_LIMIT per
API_RATE_WINDOW_SECONDS): one INCR per request, the key expiring with its window, so the count
is shared by every web process. Redis down: the request is let through (the limit protects the
database from a runaway client; it is not what keeps tenants apart)."""

from __future__ import annotations

import math

import redis
from django.conf import settings

_client: redis.Redis | None = None


def _redis() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    return _client


def retry_after(token_id: int, *, now_ts: float) -> int | None:
    """None while the token is within its limit; else the seconds until its window ends."""
    window = settings.API_RATE_WINDOW_SECONDS
    start = math.floor(now_ts / window) * window
    key = f"api:rate:{token_id}:{start}"
    try:
        pipe = _redis().pipeline()
        pipe.incr(key)
        pipe.expire(key, window + 1)
        count = pipe.execute()[0]
    except redis.RedisError:
        return None
    if count <= settings.API_RATE_LIMIT:
        return None
    return max(1, math.ceil(start + window - now_ts))
