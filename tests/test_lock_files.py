"""The lock files (requirements/*.txt, written by scripts/lock.sh) agree with pyproject.toml, and
every install path installs from them with hashes.

pyproject.toml keeps the ranges; the lock files pin one version of everything, with hashes.
A dependency added to pyproject.toml without running scripts/lock.sh fails here.
"""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = [Requirement(line) for line in PROJECT["dependencies"]]
TEST = [Requirement(line) for line in PROJECT["optional-dependencies"]["test"]]

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def read_lock(name: str) -> dict[str, tuple[str, list[str]]]:
    """{canonical name: (version, [hashes])} from one lock file; every requirement must be a pin."""
    text = (ROOT / "requirements" / name).read_text()
    entries = {}
    # One requirement per logical line (continued with a backslash); comments stand alone.
    for logical in re.sub(r"\\\n", " ", text).splitlines():
        line = logical.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        assert match, f"{name}: not a pinned requirement: {line[:80]}"
        package = canonicalize_name(match.group(1))
        assert package not in entries, f"{name}: {package} pinned twice"
        entries[package] = (match.group(2), HASH.findall(line))
    return entries


RUNTIME_LOCK = read_lock("runtime.txt")
TEST_LOCK = read_lock("test.txt")


def extra_requirements(requirement: Requirement) -> list[Requirement]:
    """What the requirement's extras (celery[redis], psycopg[binary,pool]) bring in."""
    found = []
    for line in metadata.requires(requirement.name) or []:
        needed = Requirement(line)
        if needed.marker and any(needed.marker.evaluate({"extra": extra}) for extra in requirement.extras):
            if not needed.marker.evaluate({"extra": ""}):
                found.append(needed)
    return found


@pytest.mark.parametrize(
    ("lock_name", "lock", "requirements"),
    [("runtime.txt", RUNTIME_LOCK, RUNTIME), ("test.txt", TEST_LOCK, RUNTIME + TEST)],
)
def test_every_dependency_in_pyproject_is_pinned_within_its_range(lock_name, lock, requirements):
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{name} is in pyproject.toml but not in {lock_name}: run bash scripts/lock.sh"
        version = lock[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock_name} pins {name}=={version}, outside pyproject.toml's {requirement}"
        )
        for needed in extra_requirements(requirement):
            assert canonicalize_name(needed.name) in lock, f"{lock_name} misses {needed} for {requirement}"


@pytest.mark.parametrize("lock_name", ["runtime.txt", "test.txt"])
def test_every_pin_carries_hashes(lock_name):
    lock = read_lock(lock_name)
    assert lock
    assert [name for name, (_, hashes) in lock.items() if not hashes] == []


def test_the_tests_run_what_production_runs():
    """The test lock holds every runtime pin, same version, same files."""
    assert {name: RUNTIME_LOCK[name] for name in RUNTIME_LOCK} == {
        name: TEST_LOCK.get(name) for name in RUNTIME_LOCK
    }


def test_test_only_packages_stay_out_of_the_runtime_lock():
    for name in ("factory-boy", "faker", "pytest", "import-linter", "playwright", "ruff"):
        assert name in TEST_LOCK
        assert name not in RUNTIME_LOCK, f"{name} is a test dependency: the portal must run without it"
    assert "factory-boy" not in {canonicalize_name(r.name) for r in RUNTIME}


def test_every_install_path_installs_the_lock_with_hashes():
    lib = (ROOT / "scripts" / "lib.sh").read_text()
    assert 'LOCK_FILE="$REPO_ROOT/requirements/test.txt"' in lib
    assert '--require-hashes -r "$LOCK_FILE"' in lib
    assert "bash scripts/run-tests.sh" in (ROOT / ".ci" / "run").read_text()  # ensure_venv, above
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements/runtime.txt" in dockerfile
    assert "COPY pyproject.toml" not in dockerfile  # no ranges resolved afresh at build time
