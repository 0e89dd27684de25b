"""The layers of the code base, read from the import statements of every package's source.

Data flows one way: `ui → agent → retrieval`; `finetune` and `eval` use the runtime packages and
`corpora` (the public data sets) and never each other; `service` (the HTTP API) sits beside `ui`
over `agent`; only `convrec` (the command line) may import `eval`, `ui` and `service`, and nothing
imports `convrec`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("agent", "retrieval", "corpora", "finetune", "eval", "ui", "service", "convrec")
# package -> the packages it must not import (directly, lazily or for type checking)
FORBIDDEN = {
    "retrieval": {"agent", "corpora", "finetune", "eval", "ui", "service", "convrec"},
    "corpora": {"agent", "finetune", "eval", "ui", "service", "convrec"},
    "agent": {"corpora", "finetune", "eval", "ui", "service", "convrec"},
    "finetune": {"eval", "ui", "service", "convrec"},
    "eval": {"finetune", "ui", "service", "convrec"},
    "ui": {"corpora", "finetune", "eval", "service", "convrec"},
    "service": {"corpora", "finetune", "eval", "ui", "convrec"},
    "convrec": set(),
}


def _imports(path: Path) -> set[str]:
    """Top-level names of the project packages that a file imports, wherever the import is."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(PACKAGES)


def _package_imports() -> dict[str, dict[str, set[str]]]:
    """package -> {file: the other project packages it imports}."""
    return {
        package: {
            str(f.relative_to(REPO)): _imports(f) - {package}
            for f in sorted((REPO / package).rglob("*.py"))
        }
        for package in PACKAGES
    }


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_the_layers_below(package):
    wrong = {
        file: sorted(names & FORBIDDEN[package])
        for file, names in _package_imports()[package].items()
        if names & FORBIDDEN[package]
    }
    assert not wrong, f"{package} must not import {sorted(FORBIDDEN[package])}: {wrong}"


def test_every_package_is_covered():
    found = {p.parent.name for p in REPO.glob("*/__init__.py")} - {"tests"}
    assert found == set(PACKAGES), "add the new package to PACKAGES and FORBIDDEN"


def test_packages_do_not_import_each_other_in_a_cycle():
    edges = {package: set().union(*files.values()) for package, files in _package_imports().items()}
    visiting, done = set(), set()

    def visit(package: str, path: list[str]) -> None:
        if package in done:
            return
        assert package not in visiting, f"import cycle: {' → '.join(path + [package])}"
        visiting.add(package)
        for other in sorted(edges[package]):
            visit(other, path + [package])
        visiting.discard(package)
        done.add(package)

    for package in PACKAGES:
        visit(package, [])


def test_no_source_finds_data_from_its_own_location():
    """Data comes from `corpora.paths.data_path` (--data / $CONVREC_DATA), never `__file__`."""
    sources = [f for d in (*PACKAGES, "benchmarks") for f in (REPO / d).rglob("*.py")]
    using = [
        str(f.relative_to(REPO)) for f in sources if "__file__" in f.read_text(encoding="utf-8")
    ]
    assert not using
