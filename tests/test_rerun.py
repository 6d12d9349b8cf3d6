"""`swis run`: re-running one authority on local data, in a copy of the repository and of its built book.

The copy (SWIS_ROOT) keeps the test away from the real book; it starts from
the notebooks `make book` executed, so only the re-run authority and the
synthesis execute here. A local panel must come out with small counts suppressed.
"""

from __future__ import annotations

import shutil

import nbformat
import pandas as pd
import pytest
from in_copy import swis_in

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


def test_run_one_authority_on_local_data(repo_copy):
    local = repo_copy / "local_panel.csv"
    panel = pd.read_csv(paths.PANEL, dtype=str, keep_default_na=False)
    panel = panel[panel["authority"] == "Stockport"].copy()
    # local data: the published rows with one count changed (the published rows alone would be shown in full,
    # as disclosure is decided by content: tests/test_disclosure.py)
    first = panel.index[0]
    panel.loc[first, "count"] = str(int(panel.loc[first, "count"]) + 1)
    panel.loc[first, "printed_rate"] = ""
    panel.to_csv(local, index=False)
    generated = repo_copy / "book" / "generated"
    lambeth = (generated / "authority_lambeth.ipynb").read_bytes()
    done = swis_in(repo_copy, "run", "Stockport", "--param", f"panel_path={local}", "--no-render", "--quiet")
    assert done.returncode == 0, done.stderr[-2000:]
    assert (generated / "authority_lambeth.ipynb").read_bytes() == lambeth  # the other authorities are not touched
    nb = nbformat.read(generated / "authority_stockport.ipynb", as_version=4)
    text = "\n".join(o.get("data", {}).get("text/markdown", "") for c in nb.cells for o in c.get("outputs", []))
    assert "<10" in text  # small counts of a local panel are suppressed
    assert "Local data: counts from 1 to 9 are hidden (<10)" in text  # and the book says so
    assert "STO_Primary4_INT" in text


def test_a_bad_parameter_is_refused_before_anything_runs_and_keeps_last_book(repo_copy):
    generated = repo_copy / "book" / "generated"
    before = {p.name: p.read_bytes() for p in generated.glob("*.ipynb")}
    done = swis_in(repo_copy, "run", "Stockport", "--param", "correction=bogus", "--no-render", "--quiet")
    assert done.returncode == 2
    # one line naming the parameter, not a notebook cell: nothing was executed (a notebook that fails in a cell
    # is named with its cell: tests/test_notebooks.py::test_broken_notebook_raises_naming_the_cell)
    assert done.stderr.strip().splitlines() == [
        "error: --param correction:0: correction: expected one of stata, statsmodels, none"
    ]
    assert not list((repo_copy / "book").glob("generated.*"))
    assert {p.name: p.read_bytes() for p in generated.glob("*.ipynb")} == before
