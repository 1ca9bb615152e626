"""Settings for test runs: the portal's own, with the globals kept apart per pytest-xdist worker.

pytest-django gives each xdist worker its own test database; nothing separates the rest. Each
worker gets its own Redis database (a real Celery worker started by one test must never take
another's tasks) and its own media folder. Processes a test starts (Celery workers, a sweep)
inherit the environment set here and read these settings too.
"""

import atexit
import os
import shutil
import tempfile
from urllib.parse import urlsplit

_worker = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1"... set by xdist before settings load
# Set once per test process; the processes it starts inherit the results and must not shift again.
if os.environ.get("PORTAL_TEST_ISOLATED") != (_worker or "main"):
    os.environ["PORTAL_TEST_ISOLATED"] = _worker or "main"
    if _worker:
        _url = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"))
        _base = int(_url.path.strip("/") or 0)
        _number = int(_worker.removeprefix("gw"))
        if _number > _base:
            raise RuntimeError(f"Not enough Redis databases below {_base} for xdist worker {_worker}")
        # Downwards from the run's own database (15 in scripts/run-tests.sh), away from a dev
        # worker's 0.
        os.environ["REDIS_URL"] = _url._replace(path=f"/{_base - _number}").geturl()
        os.environ.pop("CELERY_BROKER_URL", None)  # follows REDIS_URL
    # Uploads and generated files never land in the checkout's media/ nor in another worker's.
    _media = tempfile.mkdtemp(prefix=f"portal-test-media-{_worker or 'main'}-")
    os.environ["MEDIA_ROOT"] = _media
    atexit.register(shutil.rmtree, _media, ignore_errors=True)

from portal.settings import *  # noqa: E402, F403

# Off for the suite at large (its tests count outbox rows and queries of their own work); the
# tests of the re-evaluation (tests/monitoring/test_recheck*.py) turn it on.
MONITORING_RECHECK_ON_CHANGE = False

# The webhook tests' receiver listens on plain http on 127.0.0.1.
WEBHOOK_ALLOW_LOCAL = True
# The tests' identity providers run on plain http on loopback (tests/sso/idp.py).
SSO_ALLOW_INSECURE_ISSUERS = True
# The walks ask the API without a token from one address dozens of times a minute; the test of
# the limit on refused requests (tests/api/test_refused_limit.py) sets its own.
API_REFUSED_RATE_LIMIT = 100_000
