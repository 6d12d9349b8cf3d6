"""pyproject.toml, requirements.lock and environment.yml agree, and the environment is the lock.

pyproject.toml pins the direct dependencies exactly; requirements.lock pins every package (made by
`make lock`, i.e. ``uv pip compile pyproject.toml --extra test --extra dev --universal --generate-hashes``);
environment.yml installs the lock. The version of swis is written once, in ``swis/__init__.py``.
"""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import distributions, version

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import swis
from swis import paths

PYPROJECT = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())
LOCK_LINES = [
    line
    for line in (paths.ROOT / "requirements.lock").read_text().splitlines()
    if line and not line.startswith((" ", "#"))
]
#: Packages of the virtual environment itself (made by `python -m venv`), and the project.
NOT_LOCKED = {"pip", "swis"}
#: Direct dependencies used other than by import, and where.
TOOLS = {
    "jupyter-book": "swis/book/build/render.py",
    "ipykernel": "Makefile",
    "sphinxcontrib-bibtex": "_config.yml",
    "pytest": "Makefile",
    "ruff": "Makefile",
    "uv": "Makefile",
}
IMPORT_NAMES = {"pyyaml": "yaml", "myst-nb": "myst_nb", "ipython": "IPython", "beautifulsoup4": "bs4"}


def _lock() -> dict[str, str]:
    """Package -> version of the lock lines whose markers hold on this machine."""
    out = {}
    for line in LOCK_LINES:
        req = Requirement(line.rstrip(" \\"))
        if req.marker is None or req.marker.evaluate():
            out[canonicalize_name(req.name)] = str(req.specifier).removeprefix("==")
    return out


def _direct() -> list[Requirement]:
    deps = PYPROJECT["project"]["dependencies"]
    extras = PYPROJECT["project"]["optional-dependencies"]
    return [Requirement(r) for r in [*deps, *extras["test"], *extras["dev"]]]


def test_direct_dependencies_are_pinned_exactly_as_in_the_lock():
    lock = _lock()
    for req in _direct():
        (spec,) = req.specifier
        assert spec.operator == "==", req
        assert lock[canonicalize_name(req.name)] == spec.version, req


def test_the_environment_is_the_lock():
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}
    lock = _lock()
    extra = {n: v for n, v in installed.items() if n not in lock and n not in NOT_LOCKED}
    assert not extra, "installed but not locked"
    wrong = {n: (v, lock[n]) for n, v in installed.items() if n in lock and lock[n] != v}
    assert not wrong, "installed at another version than locked"
    missing = set(lock) - set(installed)
    assert not missing, "locked but not installed"


def test_environment_yml_installs_the_lock_with_the_same_python():
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    python = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python=")]
    assert python and python[0].removeprefix("python=").startswith("3.11")
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip == ["-r requirements.lock"]
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"


def test_version_is_written_once():
    assert PYPROJECT["project"]["dynamic"] == ["version"] and "version" not in PYPROJECT["project"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "swis.__version__"}
    assert version("swis") == swis.__version__


def _imported_modules() -> set[str]:
    found = set()
    for path in [*(paths.ROOT / "swis").rglob("*.py"), *(paths.ROOT / "tests").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("req", _direct(), ids=str)
def test_every_direct_dependency_is_used(req):
    name = canonicalize_name(req.name)
    if name in TOOLS:
        assert re.search(
            "|".join(re.escape(name.replace("-", s)) for s in "-_."), (paths.ROOT / TOOLS[name]).read_text()
        )
    else:
        assert IMPORT_NAMES.get(name, name.replace("-", "_")) in _imported_modules()
