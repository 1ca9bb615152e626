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


def _counted(key: str, *, now_ts: float) -> tuple[int, float]:
    """(requests counted under `key` in the window holding `now_ts` with this one, the window's
    start); (0, start) when Redis does not answer."""
    window = settings.API_RATE_WINDOW_SECONDS
    start = math.floor(now_ts / window) * window
    try:
        pipe = _redis().pipeline()
        pipe.incr(f"api:rate:{key}:{start}")
        pipe.expire(f"api:rate:{key}:{start}", window + 1)
        return pipe.execute()[0], start
    except redis.RedisError:
        return 0, start


def _wait(start: float, now_ts: float) -> int:
    return max(1, math.ceil(start + settings.API_RATE_WINDOW_SECONDS - now_ts))


def retry_after(token_id: int, *, now_ts: float) -> int | None:
    """None while the token is within its limit; else the seconds until its window ends."""
    count, start = _counted(str(token_id), now_ts=now_ts)
    return None if count <= settings.API_RATE_LIMIT else _wait(start, now_ts)


def refused_retry_after(address: str, *, now_ts: float) -> tuple[int | None, bool]:
    """Requests refused at the door (no token, or not a live one), counted per client address
    (API_REFUSED_RATE_LIMIT a window): (None while within it, else the seconds until the window
    ends; whether this is the first request over it, the one the request log still records)."""
    count, start = _counted(f"refused:{address}", now_ts=now_ts)
    limit = settings.API_REFUSED_RATE_LIMIT
    return (None, False) if count <= limit else (_wait(start, now_ts), count == limit + 1)
