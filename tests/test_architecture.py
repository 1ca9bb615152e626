"""The shape of the code, checked like behaviour (docs/architecture.md).

- The layers in `.importlinter` hold: every import points down, no cycles between the layers, and
  the product never imports the tests or test-only libraries.
- The contract is not a decoration: an upward import added to a copy of the tree breaks it.
- No import hides inside a function (the old way to dodge a cycle); AppConfig.ready() is where an
  app wires itself to the others, and WeasyPrint loads only when a PDF is made.
- No source file outside migrations grows past the size one person can read in one sitting.
"""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PRODUCT = ("portal", "projects", "meetings", "issues", "oversight", "integration", "demo")
CHECKED_FOR_SIZE = (*PRODUCT, "tests", "bench", "tools")
MAX_LINES = 400
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# Imports allowed inside a function, and why.
LAZY_IMPORTS_ALLOWED = {
    "weasyprint": "loads Pango and fonts: only the PDF views and tasks pay for it",
}


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(root / ".importlinter")],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _python_files(*packages: str):
    for package in packages:
        for path in sorted((REPO / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_the_layers_hold():
    result = _lint_imports(REPO)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory) -> Path:
    """The product's packages and the contract, copied, so a test can break them."""
    root = tmp_path_factory.mktemp("tree")
    for package in (*PRODUCT, "tests"):
        shutil.copytree(REPO / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(REPO / ".importlinter", root)
    return root


def _module_file(root: Path, dotted: str) -> Path:
    base = root.joinpath(*dotted.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


@pytest.mark.parametrize(
    ("module", "upward_import", "broken_contract"),
    [
        # The foundation reaching up into a domain app (the old notification -> project link).
        ("portal.notifications.models", "import projects.models", "Layers point down"),
        # The bottom of the foundation reaching the oversight layer.
        ("portal.core.models", "import oversight.monitoring.models", "Layers point down"),
        # A domain app reaching the dashboard that reads it (the old projects <-> monitoring cycle).
        ("projects.selectors", "import oversight.monitoring.selectors", "Layers point down"),
        # The two independent domain apps importing each other.
        ("issues.models", "import meetings.models", "Layers point down"),
        # The product importing the test factories (factory-boy in production).
        ("projects.services", "import tests.factories", "never imports the tests"),
    ],
)
def test_the_contract_catches_an_upward_import(tree_copy, module, upward_import, broken_contract):
    target = _module_file(tree_copy, module)
    original = target.read_text()
    target.write_text(f"{original}\n{upward_import}  # added by the test\n")
    try:
        result = _lint_imports(tree_copy)
    finally:
        target.write_text(original)

    assert result.returncode != 0, result.stdout
    assert broken_contract in result.stdout
    assert re.search(rf"-\s+{re.escape(module)} -> ", result.stdout)  # the very import the test added


def _imports_inside_functions(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name == "ready":
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import):
                names = [alias.name for alias in inner.names]
            elif isinstance(inner, ast.ImportFrom):
                names = [("." * inner.level) + (inner.module or "")]
            else:
                continue
            if any(name.split(".")[0] in LAZY_IMPORTS_ALLOWED for name in names):
                continue
            yield f"{path.relative_to(REPO)}:{inner.lineno} in {node.name}(): {ast.unparse(inner)}"


def test_no_import_hides_inside_a_function():
    found = [line for path in _python_files(*PRODUCT) for line in _imports_inside_functions(path)]

    assert found == []


def test_no_source_file_is_too_long_to_read():
    too_long = {
        str(path.relative_to(REPO)): count
        for path in _python_files(*CHECKED_FOR_SIZE)
        if (count := len(path.read_text().splitlines())) > MAX_LINES
    }

    assert too_long == {}
