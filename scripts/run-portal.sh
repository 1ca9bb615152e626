#!/usr/bin/env bash
# Run the portal locally: makes sure system packages, the virtualenv, PostgreSQL, its two roles
# and Redis are there, migrates (as the owner role), collects static files, seeds demo data
# (printing the demo logins), then runs the web server, the Celery worker and Celery beat together
# (as the app role), their output prefixed by name.
#
# The web server is the production one: gunicorn (gunicorn.conf.py) with whitenoise and DEBUG off,
# a SECRET_KEY generated once into .data/ unless given, and only the HTTPS-only switches turned off
# so it works on plain http://127.0.0.1. PORTAL_DEV=1 runs Django's development server instead
# (autoreload, debug pages). Ctrl-C stops all three and exits 0; if one of them dies, the others are
# stopped and the script exits non-zero. PORT (8000) can be overridden.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_system_packages
ensure_venv
ensure_postgres
ensure_redis

PORT=${PORT:-8000}
export PORT
if [[ "${PORTAL_DEV:-0}" == 1 ]]; then
  export DEBUG=1
else
  export DEBUG=0
  ensure_secret_key
  export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
  # Production settings over plain HTTP on this machine: these three default to on when DEBUG=0.
  export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-0}
  export SESSION_COOKIE_SECURE=${SESSION_COOKIE_SECURE:-0}
  export CSRF_COOKIE_SECURE=${CSRF_COOKIE_SECURE:-0}
fi
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}  # absolute links in emails and invites
export PYTHONUNBUFFERED=1  # output goes through a pipe: show it line by line
PY="$VENV/bin/python"
cd "$REPO_ROOT"

ensure_database_roles
log "Applying migrations (as the owner role)"
DATABASE_URL=$DATABASE_OWNER_URL "$PY" manage.py migrate --noinput
log "Collecting static files"
"$PY" manage.py collectstatic --noinput -v 0
# From here on everything connects as the app role: rows only, no DDL, no TRUNCATE.
export DATABASE_URL=$DATABASE_APP_URL
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
if [[ "$DEBUG" == 1 ]]; then
  start_service web "$PY" manage.py runserver "127.0.0.1:$PORT"
else
  start_service web "$VENV/bin/gunicorn" portal.wsgi:application  # settings: gunicorn.conf.py
fi
# Each Celery process runs one task at a time: a pool of one connection each
# (CELERY_WORKER_CONCURRENCY worker processes, 2 by default).
start_service worker env DB_POOL_MAX_SIZE=1 "$VENV/bin/celery" -A portal worker -l info
start_service beat env DB_POOL_MAX_SIZE=1 "$VENV/bin/celery" -A portal beat -l info \
  --scheduler portal.core.beat:ClaimingScheduler

# Returns when the first service ends (a signal runs on_signal instead, which exits).
status=0
wait -n -p ended "${!names[@]}" || status=$?
log "${names[$ended]} exited with status $status: stopping the others"
stop_services
exit $((status == 0 ? 1 : status))
