"""Timing one thing: wall time (median of a few runs) and the queries of one run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection


@dataclass
class Result:
    """One measure at one size. `seconds` None: not measured (`note` says why)."""

    seconds: float | None = None
    queries: int | None = None
    status: int | None = None
    extra: dict = field(default_factory=dict)
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.seconds is not None and (self.status is None or self.status < 400)


class QueryCounter:
    """Counts every statement sent (Django's captured-query log stops at 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(fn: Callable[[], object], repeat: int = 3, warm_up: bool = True) -> tuple[float, int, object]:
    """(median seconds, queries of the last run, the last run's return value)."""
    if warm_up:
        fn()
    times, queries, value = [], 0, None
    for _ in range(repeat):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            value = fn()
            times.append(time.perf_counter() - start)
        queries = counter.count
    return statistics.median(times), queries, value


def body_of(response) -> bytes:
    """The whole body, streamed or not (reading a stream is part of the time)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def page(client, url: str, repeat: int = 3, headers: dict | None = None, baseline=None) -> Result:
    """GET `url` as the client's user: the body read to the end, as a browser would.

    With `baseline` (a callable fetching the trivial page), each run of the page is followed by
    one of the baseline, and the baseline's median is kept with the result ("trivial_s"): on a
    shared machine the ratio then compares times taken seconds apart, not minutes."""

    def get():
        response = client.get(url, headers=headers or {})
        return response, body_of(response)

    page_times, baseline_times, queries = [], [], 0
    for run in range(repeat):
        seconds, queries, (response, body) = timed(get, repeat=1, warm_up=run == 0)
        page_times.append(seconds)
        if baseline is not None:
            baseline_times.append(timed(baseline, repeat=1, warm_up=run == 0)[0])
    result = Result(seconds=statistics.median(page_times), queries=queries, status=response.status_code)
    result.extra["bytes"] = len(body)
    if baseline_times:
        result.extra["trivial_s"] = statistics.median(baseline_times)
    if response.status_code >= 300:
        result.note = f"HTTP {response.status_code}"
    return result
