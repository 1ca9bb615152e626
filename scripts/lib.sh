# shellcheck shell=bash
# Shared helpers for scripts/run-portal.sh and scripts/run-tests.sh. Source it, don't run it.
#
# Every ensure_* function is idempotent and quick when there is nothing to do, so the entry
# scripts can call all of them on every run.
#
# Knobs (all optional):
#   DATABASE_URL / REDIS_URL          use these servers as they are, start nothing
#   PORTAL_PG_HOST, PORTAL_PG_PORT    where to look for PostgreSQL first (127.0.0.1:5432)
#   PORTAL_REDIS_HOST, PORTAL_REDIS_PORT                  ... and Redis (127.0.0.1:6379)
#   PORTAL_LOCAL_PG_PORT, PORTAL_LOCAL_REDIS_PORT  ports of the project-local fallback servers
#                                                  (54329, 63790)
#   PORTAL_SKIP_SYSTEM_PACKAGES=1     don't check apt packages (non-Debian machines)
#   PYTHON                            interpreter for the virtualenv (python3.11, else python3)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
DATA_DIR="$REPO_ROOT/.data"

SYSTEM_PACKAGES=(
  redis-server chromium chromium-driver poppler-utils
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 fonts-dejavu-core
  postgresql nodejs xmlsec1
)

log() { printf '==> %s\n' "$*"; }

# One clear line on stderr, then stop.
die() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}

# --- system packages ----------------------------------------------------------------------------

ensure_system_packages() {
  [[ "${PORTAL_SKIP_SYSTEM_PACKAGES:-}" == 1 ]] && return 0
  if ! command -v dpkg-query >/dev/null; then
    log "No dpkg-query here: make sure these are installed: ${SYSTEM_PACKAGES[*]}"
    return 0
  fi

  # One dpkg-query call for all packages keeps re-runs fast; packages it does not know are
  # simply absent from its output.
  local installed missing=() pkg
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${SYSTEM_PACKAGES[@]}" 2>/dev/null \
    | awk '$2 == "ii" { print $1 }') || true
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    grep -qxF "$pkg" <<<"$installed" || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0

  if ((EUID != 0)); then
    die "missing system packages: ${missing[*]} (install them with: sudo apt-get install --no-install-recommends ${missing[*]}, or run this script as root)"
  fi
  log "Installing system packages: ${missing[*]}"
  apt-get update -qq || die "apt-get update failed: cannot install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${SYSTEM_PACKAGES[@]}" \
    || die "apt-get install failed for: ${missing[*]}"
}

# --- Python virtualenv --------------------------------------------------------------------------

pick_python() {
  if [[ -n "${PYTHON:-}" ]]; then
    echo "$PYTHON"
  elif command -v python3.11 >/dev/null; then
    echo python3.11
  elif command -v python3 >/dev/null && python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo python3
  else
    die "Python 3.11 or newer is needed: install python3.11 (apt-get install python3) or set PYTHON"
  fi
}

# The project itself is not installed (flat layout): only its runtime and test dependencies,
# exactly as locked in requirements/test.txt (pinned versions with hashes, written by
# scripts/lock.sh from the ranges in pyproject.toml). A stamp holding the hash of the lock file
# skips pip when unchanged; a changed lock file installs again.
LOCK_FILE="$REPO_ROOT/requirements/test.txt"

ensure_venv() {
  local stamp="$VENV/.lock-hash" wanted py
  [[ -f "$LOCK_FILE" ]] || die "the lock file $LOCK_FILE is missing: run bash scripts/lock.sh"
  # A venv whose interpreter went away (Python upgraded, folder copied) is rebuilt.
  if [[ -d "$VENV" ]] && ! "$VENV/bin/python" -c '' 2>/dev/null; then
    log "Virtualenv at $VENV is broken: recreating it"
    rm -rf "$VENV"
  fi
  if [[ ! -x "$VENV/bin/python" ]]; then
    py=$(pick_python)
    log "Creating virtualenv $VENV with $py"
    "$py" -m venv "$VENV" || die "could not create a virtualenv with $py (on Debian: apt-get install python3-venv)"
  fi

  wanted=$(sha256sum "$LOCK_FILE" | cut -d' ' -f1)
  [[ -f "$stamp" && "$(<"$stamp")" == "$wanted" ]] && return 0

  log "Installing Python dependencies from requirements/test.txt"
  # --require-hashes: every file pip installs must match a hash in the lock file.
  # This machine's pip configuration names local index folders that may not exist: pip warns
  # once per package about that, which would bury real errors.
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q --require-hashes -r "$LOCK_FILE" \
    2> >(grep -v "^WARNING: Location '.*' is ignored: it is neither a file nor a directory.$" >&2) \
    || die "pip install failed (see above); fix requirements/test.txt (bash scripts/lock.sh) or the network and re-run"
  # Written last, so an interrupted install is retried next time.
  echo "$wanted" >"$stamp"
}

# --- the test identity provider -----------------------------------------------------------------

# The single sign-on tests run a real OpenID Provider (panva's oidc-provider on Node, tests/idp/).
# Its packages come from the npm registry, pinned with their integrity hashes in package-lock.json
# (`npm ci`), again whenever the lock file changes.
ensure_test_idp() {
  local dir="$REPO_ROOT/tests/idp" stamp wanted
  stamp="$dir/node_modules/.lock-hash"
  command -v node >/dev/null || die "node is missing: apt-get install nodejs"
  if ! command -v npm >/dev/null; then
    ((EUID == 0)) || die "npm is missing (sudo apt-get install --no-install-recommends npm)"
    log "Installing npm"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm || die "apt-get install npm failed"
  fi
  wanted=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  [[ -f "$stamp" && "$(<"$stamp")" == "$wanted" ]] && return 0
  log "Installing the test identity provider's packages (npm ci in tests/idp)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci in tests/idp failed (see above)"
  echo "$wanted" >"$stamp"
}

# --- PostgreSQL ---------------------------------------------------------------------------------

# Newest installed server binaries (Debian keeps them out of PATH).
pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1) || true
  if [[ -z "$dir" ]] && command -v initdb >/dev/null; then
    dir=$(dirname "$(command -v initdb)")
  fi
  [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]] && echo "$dir"
}

# initdb refuses to run as root: as root the cluster belongs to the postgres user.
as_pg_owner() {
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

# The fallback home of the local cluster, one per checkout.
pg_tmp_dir() {
  echo "/tmp/portal-pg-$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12)"
}

# Where the local cluster lives (sets PG_LOCAL_DIR): .data/postgres, unless the postgres user
# cannot reach into the repository (a parent folder is not traversable); then a folder under /tmp
# (pg_tmp_dir).
local_pg_dir() {
  PG_LOCAL_DIR="$DATA_DIR/postgres"
  mkdir -p "$DATA_DIR" && chmod 755 "$DATA_DIR" || return 1
  if ((EUID != 0)); then
    mkdir -p "$PG_LOCAL_DIR" && chmod 700 "$PG_LOCAL_DIR"
    return
  fi
  install -d -o postgres -g postgres -m 700 "$PG_LOCAL_DIR" || return 1
  if ! runuser -u postgres -- test -w "$PG_LOCAL_DIR"; then
    rmdir "$PG_LOCAL_DIR" 2>/dev/null
    PG_LOCAL_DIR=$(pg_tmp_dir)
    install -d -o postgres -g postgres -m 700 "$PG_LOCAL_DIR"
  fi
}

# Starts (and on first use creates) the project-local cluster on PORTAL_LOCAL_PG_PORT.
# $1 = "fast" turns durability off: only ever for this throwaway cluster, and only when this call
# is the one starting it. On failure returns 1 with the reason in PG_LOCAL_PROBLEM.
start_local_postgres() {
  local mode=${1:-} port=${PORTAL_LOCAL_PG_PORT:-54329} bindir opts
  PG_LOCAL_PROBLEM=
  bindir=$(pg_bindir) || { PG_LOCAL_PROBLEM="no PostgreSQL server binaries (initdb, pg_ctl)"; return 1; }
  local_pg_dir || { PG_LOCAL_PROBLEM="cannot create a folder for it under $DATA_DIR"; return 1; }
  local dir=$PG_LOCAL_DIR
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    log "Creating a local PostgreSQL cluster in $dir/data"
    as_pg_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { PG_LOCAL_PROBLEM="initdb failed, see $dir/initdb.log"; return 1; }
  fi
  if ! as_pg_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    # TCP only, no Unix socket: a long repo path would exceed the socket path limit.
    opts="-p $port -h 127.0.0.1 -c unix_socket_directories=''"
    [[ "$mode" == fast ]] && opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    log "Starting the local PostgreSQL cluster on 127.0.0.1:$port"
    if ! as_pg_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$opts" start >/dev/null 2>&1; then
      if pg_isready -q -h 127.0.0.1 -p "$port" -t 3; then
        PG_LOCAL_PROBLEM="port $port is taken by another server, choose another with PORTAL_LOCAL_PG_PORT"
      else
        PG_LOCAL_PROBLEM="it failed to start, see $dir/server.log"
      fi
      return 1
    fi
  fi
  PG_LOCAL_PORT=$port
}

# Creates the database named in DATABASE_URL if it is missing. Uses psycopg from the venv, which
# understands every libpq URL form (passwords, query options, ...). On failure prints one line.
create_database_if_missing() {
  "$VENV/bin/python" - "$1" <<'PY'
import sys
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

url = sys.argv[1]
for alias in ("postgis://", "pgsql://"):  # dj-database-url spellings libpq does not know
    if url.startswith(alias):
        url = "postgresql://" + url[len(alias):]
params = conninfo_to_dict(url)
dbname = params.get("dbname") or "portal"
where = f"{params.get('host', 'localhost')}:{params.get('port', 5432)}"  # no password in messages


def fail(problem):
    print(f"ERROR: {problem}: start PostgreSQL there or fix DATABASE_URL", file=sys.stderr)
    sys.exit(1)


try:
    psycopg.connect(url, connect_timeout=5).close()
    sys.exit(0)
except psycopg.OperationalError as exc:
    # psycopg's first line holds the cause ("... failed: Connection refused").
    first_error = str(exc).strip().splitlines()[0].removeprefix("connection failed: ")

# Maybe only the database is missing: create it from the server's maintenance database.
for maintenance_db in ("postgres", "template1"):
    try:
        conn = psycopg.connect(**{**params, "dbname": maintenance_db}, connect_timeout=5, autocommit=True)
    except psycopg.OperationalError:
        continue
    with conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
            break  # it exists, so the first error was something else (auth, permissions)
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        except psycopg.Error as exc:
            fail(f"cannot create database {dbname!r} on {where} ({str(exc).strip()})")
    print(f"==> Created database {dbname!r} on {where}")
    sys.exit(0)
fail(f"cannot connect to database {dbname!r} on {where} ({first_error})")
PY
}

# Exports DATABASE_URL: as given, else the server on 127.0.0.1:5432, else a project-local cluster,
# and makes sure its database exists. Pass "fast" for tests. Needs ensure_venv first.
# Never starts, stops or changes a system cluster.
ensure_postgres() {
  local mode=${1:-}
  if [[ -z "${DATABASE_URL:-}" ]]; then
    local host=${PORTAL_PG_HOST:-127.0.0.1} port=${PORTAL_PG_PORT:-5432}
    if command -v pg_isready >/dev/null && pg_isready -q -h "$host" -p "$port" -t 3; then
      export DATABASE_URL="postgres://postgres@$host:$port/portal"
    elif start_local_postgres "$mode"; then
      export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_LOCAL_PORT/portal"
    else
      die "PostgreSQL is not reachable at $host:$port and no local server could be started ($PG_LOCAL_PROBLEM): install postgresql or set DATABASE_URL"
    fi
  fi
  create_database_if_missing "$DATABASE_URL" || exit 1
}

# --- Database roles -----------------------------------------------------------------------------

# Creates the owner and app roles (manage.py db_roles: idempotent, adopts a database migrated
# before them) and exports DATABASE_OWNER_URL (migrations) and DATABASE_APP_URL (web, workers,
# beat). DATABASE_URL stays the administrator's; a DATABASE_URL whose role is no superuser is used
# as it is for both. Both already set: nothing to do. Needs ensure_postgres first.
ensure_database_roles() {
  [[ -n "${DATABASE_OWNER_URL:-}" && -n "${DATABASE_APP_URL:-}" ]] && return 0
  local urls
  urls=$(cd "$REPO_ROOT" && DB_POOL_MAX_SIZE=0 "$VENV/bin/python" manage.py db_roles --print-urls) \
    || die "could not create the database roles portal_owner and portal_app (see above)"
  DATABASE_OWNER_URL=$(sed -n 1p <<<"$urls")
  DATABASE_APP_URL=$(sed -n 2p <<<"$urls")
  export DATABASE_OWNER_URL DATABASE_APP_URL
}

# Exports SECRET_KEY: as given, else one generated on first use and kept in .data/secret_key.
ensure_secret_key() {
  [[ -n "${SECRET_KEY:-}" ]] && return 0
  local file="$DATA_DIR/secret_key"
  if [[ ! -s "$file" ]]; then
    mkdir -p "$DATA_DIR"
    (umask 077 && "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$file") \
      || die "cannot write $file"
  fi
  SECRET_KEY=$(<"$file")
  export SECRET_KEY
}

# --- Redis --------------------------------------------------------------------------------------

redis_ping() {
  [[ "$(timeout 5 redis-cli -u "$1" ping 2>/dev/null)" == PONG ]]
}

# Exports REDIS_URL: as given, else the server on 127.0.0.1:6379, else a project-local server
# that keeps nothing on disk.
ensure_redis() {
  command -v redis-cli >/dev/null || die "redis-cli is missing: install redis-server (apt-get install redis-server) or run as root"
  if [[ -n "${REDIS_URL:-}" ]]; then
    redis_ping "$REDIS_URL" || die "Redis is not reachable at REDIS_URL=$REDIS_URL: start it or fix REDIS_URL"
    return 0
  fi
  local host=${PORTAL_REDIS_HOST:-127.0.0.1} port=${PORTAL_REDIS_PORT:-6379}
  if redis_ping "redis://$host:$port/0"; then
    export REDIS_URL="redis://$host:$port/0"
    return 0
  fi

  local local_port=${PORTAL_LOCAL_REDIS_PORT:-63790} dir="$DATA_DIR/redis"
  local url="redis://127.0.0.1:$local_port/0"
  if ! redis_ping "$url"; then
    command -v redis-server >/dev/null \
      || die "Redis is not reachable at $host:$port and redis-server is not installed: install redis-server or set REDIS_URL"
    log "Starting a local Redis on 127.0.0.1:$local_port"
    mkdir -p "$dir"
    redis-server --daemonize yes --port "$local_port" --bind 127.0.0.1 --save "" --appendonly no \
      --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null || true
    local _
    for _ in {1..50}; do redis_ping "$url" && break; sleep 0.1; done
    redis_ping "$url" \
      || die "Redis is not reachable at $host:$port and no local server could be started (see $dir/redis.log): install redis-server or set REDIS_URL"
  fi
  export REDIS_URL="$url"
}

# Stops the project-local servers started above (never a system service). Their data stays.
stop_local_services() {
  local bindir dir pid
  for dir in "$DATA_DIR/postgres" "$(pg_tmp_dir)"; do
    if [[ -f "$dir/data/postmaster.pid" ]] && bindir=$(pg_bindir); then
      log "Stopping the local PostgreSQL cluster in $dir/data"
      as_pg_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null \
        || log "pg_ctl could not stop it (already stopped?)"
    fi
  done
  if [[ -f "$DATA_DIR/redis/redis.pid" ]]; then
    pid=$(<"$DATA_DIR/redis/redis.pid")
    if kill -0 "$pid" 2>/dev/null; then
      log "Stopping the local Redis (pid $pid)"
      kill "$pid"
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
  fi
}
