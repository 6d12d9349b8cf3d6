"""The package's layout rules: small modules and functions, statistics apart from display, no mutable globals."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from swis import paths

MODULES = sorted((paths.ROOT / "swis").rglob("*.py"))
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
#: Statistics and data: they never import display, the book or plotting.
STATISTICS = ("swis/config", "swis/data", "swis/estimation", "swis/matching", "swis/audit")
DISPLAY_ONLY = ("swis.report", "swis.book", "matplotlib", "IPython", "myst_nb")
#: Display never fits a model: it imports no solver and no code that fits.
DISPLAY = ("swis/report",)
FITTING = ("statsmodels", "swis.estimation.did", "swis.estimation.poisson", "swis.matching", "swis.audit", "pyfixest")


def _rel(path: Path) -> str:
    return path.relative_to(paths.ROOT).as_posix()


def _imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_module_and_function_sizes(path):
    text = path.read_text()
    assert len(text.splitlines()) <= MAX_MODULE_LINES
    long = [
        (n.name, n.end_lineno - n.lineno + 1)
        for n in ast.walk(ast.parse(text))
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.end_lineno - n.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long


@pytest.mark.parametrize("path", [p for p in MODULES if _rel(p).startswith(STATISTICS)], ids=_rel)
def test_statistics_never_import_display(path):
    bad = {m for m in _imports(ast.parse(path.read_text())) if m.startswith(DISPLAY_ONLY)}
    assert not bad


@pytest.mark.parametrize("path", [p for p in MODULES if _rel(p).startswith(DISPLAY)], ids=_rel)
def test_display_never_fits_a_model(path):
    bad = {m for m in _imports(ast.parse(path.read_text())) if m.startswith(FITTING)}
    assert not bad


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_no_mutable_module_state(path):
    """No ``global`` statements; module-level containers are constants (UPPER_CASE names)."""
    tree = ast.parse(path.read_text())
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Global | ast.Nonlocal)]
    mutable = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, mutable):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            assert all(n.isupper() or n == "__all__" for n in names), names
