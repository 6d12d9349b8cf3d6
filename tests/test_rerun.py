"""`swis run`: re-running one authority on local data, in a copy of the repository and of its built book.

The copy (SWIS_ROOT) keeps the test away from the real book; it starts from
the notebooks `make book` executed, so only the re-run authority and the
synthesis execute here. A local panel must come out with small counts suppressed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import nbformat
import pandas as pd
import pytest

from swis import paths

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory, built):
    root = tmp_path_factory.mktemp("repo")
    for name in ("data", "notebooks", "book", "_static"):
        if (paths.ROOT / name).exists():
            shutil.copytree(paths.ROOT / name, root / name, ignore=shutil.ignore_patterns("generated.*"))
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(paths.ROOT / name, root / name)
    return root


def _swis(root, *args):
    env = {**os.environ, "SWIS_ROOT": str(root)}
    return subprocess.run([sys.executable, "-m", "swis.cli", *args], cwd=root, env=env, capture_output=True, text=True)


def test_run_one_authority_on_local_data(repo_copy):
    local = repo_copy / "local_panel.csv"
    panel = pd.read_csv(paths.PANEL)
    panel[panel["authority"] == "Stockport"].to_csv(local, index=False)
    generated = repo_copy / "book" / "generated"
    lambeth = (generated / "authority_lambeth.ipynb").read_bytes()
    done = _swis(repo_copy, "run", "Stockport", "--param", f"panel_path={local}", "--no-render", "--quiet")
    assert done.returncode == 0, done.stderr[-2000:]
    assert (generated / "authority_lambeth.ipynb").read_bytes() == lambeth  # the other authorities are not touched
    nb = nbformat.read(generated / "authority_stockport.ipynb", as_version=4)
    text = "\n".join(o.get("data", {}).get("text/markdown", "") for c in nb.cells for o in c.get("outputs", []))
    assert "<10" in text  # small counts of a local panel are suppressed
    assert "STO_Primary4_INT" in text


def test_run_failure_names_notebook_and_cell_and_keeps_last_book(repo_copy):
    generated = repo_copy / "book" / "generated"
    before = {p.name: p.read_bytes() for p in generated.glob("*.ipynb")}
    done = _swis(repo_copy, "run", "Stockport", "--param", "correction=bogus", "--no-render", "--quiet")
    assert done.returncode == 1
    # swis's own report is its last line, one error naming the notebook and the cell; what the kernel printed
    # on its way down comes before it and is not swis's to judge
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: notebook authority_stockport (authority.ipynb) failed in cell "), last
    assert "Traceback" not in last
    assert {p.name: p.read_bytes() for p in generated.glob("*.ipynb")} == before
