#!/usr/bin/env bash
# Run the test suite: makes sure system packages, the virtualenv, PostgreSQL and Redis are there,
# then runs pytest from the repo root. Arguments go to pytest (e.g. -k meetings, --co -q).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_system_packages
ensure_venv
ensure_test_idp
ensure_postgres fast
ensure_redis
# The suite runs as DATABASE_URL's superuser (it creates the test database); the roles must exist
# for the test that connects as the app role.
ensure_database_roles

# Tests get their own Redis database (15, and 14, 13... for further xdist workers), so a dev worker
# listening on db 0 never takes their tasks. Keeps scheme, credentials, host and port of whatever
# REDIS_URL we ended up with.
REDIS_URL=$("$VENV/bin/python" - "$REDIS_URL" <<'PY'
import sys
from urllib.parse import parse_qsl, urlencode, urlsplit

url = urlsplit(sys.argv[1])
query = urlencode([(k, v) for k, v in parse_qsl(url.query) if k != "db"])
print(url._replace(path="/15", query=query).geturl())
PY
)
export REDIS_URL
export PLAYWRIGHT_CHROMIUM_EXECUTABLE=${PLAYWRIGHT_CHROMIUM_EXECUTABLE:-/usr/bin/chromium}
# Browser tests touch the ORM from Playwright's event loop.
export DJANGO_ALLOW_ASYNC_UNSAFE=true

cd "$REPO_ROOT"
shown_redis=${REDIS_URL#*://}  # without scheme and credentials
log "Running pytest (PostgreSQL ${DATABASE_URL##*@}, Redis ${shown_redis##*@})"
status=0
# In parallel, one pytest-xdist worker per core; each has its own test database, Redis database
# and media folder (tests/settings.py). A worker that runs out of tests takes some of the other's
# (worksteal), so a few long tests at the end do not leave one core idle. Arguments come after
# ours and win (-n 0: one process).
"$VENV/bin/pytest" --numprocesses="${PYTEST_WORKERS:-auto}" --dist=worksteal "$@" || status=$?
if ((status == 5)); then
  echo "ERROR: pytest collected no tests: that counts as a failure" >&2
  exit 1
fi
exit "$status"
