"""One door for the audit trail's "why".

django-pghistory's triggers record what changed in every tracked table; the
middleware adds who (the user) and where (the URL), Celery tasks add the task.
Services add the reason with `audited("...")` around their writes.
"""

import contextlib
import uuid

import pghistory
from pghistory import runtime


@contextlib.contextmanager
def audited(reason: str, **extra):
    """Context manager: changes inside carry `reason` in the audit trail.

    pghistory merges a nested context into the one already open, so two services run in one
    request or task (the sweep runs fourteen rules in one task) would all end up showing the last
    reason. Here a nested block gets a context of its own that keeps the outer one's metadata
    (user, URL, task) and adds its reason; the outer context is back when the block ends.
    """
    parent = getattr(runtime._tracker, "value", None)
    if parent is None:
        with pghistory.context(reason=reason, **extra) as ctx:
            yield ctx
        return
    own = runtime.Context(id=uuid.uuid4(), metadata={**parent.metadata, "reason": reason, **extra})
    runtime._tracker.value = own
    try:
        yield own
    finally:
        runtime._tracker.value = parent
