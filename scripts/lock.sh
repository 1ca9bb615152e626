#!/usr/bin/env bash
# Regenerates the lock files from the version ranges in pyproject.toml:
#   requirements/runtime.txt  what the portal needs to run (the Dockerfile installs it)
#   requirements/test.txt     the same pins plus the test extra (scripts/run-tests.sh,
#                             scripts/run-portal.sh and .ci/run install it)
# Every line is pinned (==) with the sha256 hashes of its files, so `pip install --require-hashes`
# installs exactly what was locked. Run it after changing a dependency in pyproject.toml, and
# commit the result; arguments go to pip-compile (e.g. --upgrade, --upgrade-package django).
# pip-tools runs in a throw-away virtualenv: nothing is installed into .venv.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

py=$(pick_python)
log "Installing pip-tools into a throw-away virtualenv"
"$py" -m venv "$work/venv" || die "could not create a virtualenv with $py (on Debian: apt-get install python3-venv)"
"$work/venv/bin/python" -m pip install --disable-pip-version-check -q pip-tools \
  2> >(grep -v "^WARNING: Location '.*' is ignored: it is neither a file nor a directory.$" >&2) \
  || die "pip install pip-tools failed (see above)"

# The project is not a package (flat layout), so pip-compile reads the ranges from .in files
# written here, not from pyproject.toml itself. runtime.in = the dependencies; test.in = those
# and the test extra.
"$work/venv/bin/python" - "$REPO_ROOT/pyproject.toml" "$work" <<'PY'
import sys, tomllib
from pathlib import Path

with open(sys.argv[1], "rb") as f:
    project = tomllib.load(f)["project"]
runtime = project["dependencies"]
test = project["optional-dependencies"]["test"]
Path(sys.argv[2], "runtime.in").write_text("\n".join(runtime) + "\n")
Path(sys.argv[2], "test.in").write_text("\n".join(runtime + test) + "\n")
PY

compile() {
  local in=$1 out=$2
  shift 2
  # The output file is a copy of the committed lock: pip-compile keeps its pins unless a range
  # no longer allows them (or --upgrade says otherwise).
  if [[ -f "$REPO_ROOT/requirements/$out" ]]; then
    cp "$REPO_ROOT/requirements/$out" "$work/$out"
  fi
  (cd "$work" && CUSTOM_COMPILE_COMMAND="bash scripts/lock.sh" "$work/venv/bin/pip-compile" \
    --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
    --no-emit-find-links --no-emit-trusted-host --annotation-style=line \
    --output-file "$out" "$@" "$in") \
    2> >(grep -v "^WARNING: Location '.*' is ignored: it is neither a file nor a directory.$" >&2) \
    || die "pip-compile failed for $out (see above)"
  # The annotations name the throw-away .in file: name pyproject.toml instead.
  sed -i "s/-r $in/pyproject.toml/g" "$work/$out"
}

log "Locking the test dependencies (requirements/test.txt)"
compile test.in test.txt "$@"
# The runtime lock uses the same versions as the test lock: the tests run what production runs.
# pip refuses hashes in constraint files, so the constraints are the bare pins.
grep -E '^[A-Za-z0-9._-]+==' "$work/test.txt" | sed 's/ *\\$//; s/ .*//' >"$work/test-pins.txt"
echo "-c test-pins.txt" >>"$work/runtime.in"
log "Locking the runtime dependencies (requirements/runtime.txt)"
compile runtime.in runtime.txt "$@"
sed -i "s/-c test-pins.txt/requirements\/test.txt/g" "$work/runtime.txt"

mkdir -p "$REPO_ROOT/requirements"
cp "$work/test.txt" "$work/runtime.txt" "$REPO_ROOT/requirements/"
log "Wrote requirements/test.txt and requirements/runtime.txt: commit them with pyproject.toml"
