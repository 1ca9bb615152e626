"""One door for queueing background work.

Tasks are queued after the surrounding transaction commits, so a worker never
reads a row that is not there yet. If the broker is unreachable the page still
works: the failure is logged and the request carries on.
"""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue `task.delay(*args, **kwargs)` once the current transaction commits."""

    def _send():
        try:
            task.delay(*args, **kwargs)
        except BrokerUnavailable:
            logger.exception("Broker unavailable; %s%r not queued", task.name, args)

    transaction.on_commit(_send)
