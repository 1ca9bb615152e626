#!/usr/bin/env bash
# Run the portal locally: makes sure system packages, the virtualenv, PostgreSQL and Redis are
# there, migrates, collects static files, seeds demo data (printing the demo logins), then runs
# the web server, the Celery worker and Celery beat together, their output prefixed by name.
# Ctrl-C stops all three and exits 0; if one of them dies, the others are stopped and the script
# exits non-zero. PORT (8000) and DEBUG (1) can be overridden.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_system_packages
ensure_venv
ensure_postgres
ensure_redis

PORT=${PORT:-8000}
export DEBUG=${DEBUG:-1}
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}  # absolute links in emails and invites
export PYTHONUNBUFFERED=1  # output goes through a pipe: show it line by line
PY="$VENV/bin/python"
cd "$REPO_ROOT"

log "Applying migrations"
"$PY" manage.py migrate --noinput
log "Collecting static files"
"$PY" manage.py collectstatic --noinput -v 0
log "Seeding demo data"
"$PY" manage.py seed_demo

# Job control gives every service its own process group, so it can be stopped with all its
# children (runserver's reloader, Celery's pool, the prefixer) and does not see the terminal's
# Ctrl-C itself: this script handles that.
set -m
declare -A names=()  # pid of the service (= its process group id) -> service name

start_service() {
  local name=$1 prefix
  shift
  prefix=$(printf '[%-6s] ' "$name")
  # $! is the service itself, so `wait` notices its death even if a child keeps the pipe open.
  # The prefixer ignores INT/TERM so it can still print the service's last words.
  "$@" </dev/null > >(trap '' INT TERM; exec sed -u "s/^/$prefix/") 2>&1 &
  names[$!]=$name
}

any_group_alive() {
  local pid
  for pid in "${!names[@]}"; do kill -0 -- "-$pid" 2>/dev/null && return 0; done
  return 1
}

stop_services() {
  local pid tenths=0
  trap "" INT TERM HUP  # a second Ctrl-C must not interrupt the clean-up
  for pid in "${!names[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  # Give every process of every group 10 s to finish, then kill what is left.
  while any_group_alive && ((tenths++ < 100)); do sleep 0.1; done
  for pid in "${!names[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait || true
}

# shellcheck disable=SC2329  # invoked by the trap below
on_signal() {
  echo
  log "Stopping web, worker and beat"
  stop_services
  log "Stopped"
  exit 0
}
trap on_signal INT TERM HUP

log "Starting web on http://127.0.0.1:$PORT/, the Celery worker and beat (Ctrl-C stops all)"
start_service web "$PY" manage.py runserver "127.0.0.1:$PORT"
start_service worker "$VENV/bin/celery" -A portal worker -l info
start_service beat "$VENV/bin/celery" -A portal beat -l info \
  --scheduler portal.core.beat:ClaimingScheduler

# Returns when the first service ends (a signal runs on_signal instead, which exits).
status=0
wait -n -p ended "${!names[@]}" || status=$?
log "${names[$ended]} exited with status $status: stopping the others"
stop_services
exit $((status == 0 ? 1 : status))
