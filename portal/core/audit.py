"""One door for the audit trail's "why".

django-pghistory's triggers record what changed in every tracked table; the
middleware adds who (the user) and where (the URL), Celery tasks add the task.
Services add the reason with `audited("...")` around their writes.
"""

import pghistory


def audited(reason: str, **extra):
    """Context manager: changes inside carry `reason` in the audit trail."""
    return pghistory.context(reason=reason, **extra)
