"""Each notebook executes under papermill; the injected parameters are recorded; failures raise."""

from __future__ import annotations

import nbformat
import pytest

from swis import paths
from swis.book.build.execute import _into, execute_run, expand_template
from swis.book.build.plan import Run, plan
from swis.config import load_book_config
from swis.errors import BuildError

RUNS = {r.name: r for r in plan(load_book_config())}


def _injected(nb) -> str:
    cells = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    assert "remove-cell" in cells[0].metadata["tags"]  # kept as the record, hidden from readers
    return cells[0].source


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Every run of the book, in the build's order, executed into one temporary folder."""
    folder = tmp_path_factory.mktemp("generated")
    return {name: (execute_run(_into(run, folder), folder, progress=False), _into(run, folder))
            for name, run in RUNS.items()}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(RUNS))
def test_notebook_executes_and_records_parameters(executed, name):
    out, run = executed[name]
    nb = nbformat.read(out, as_version=4)
    recorded: dict = {}
    exec(_injected(nb), {}, recorded)  # the injected cell is plain assignments
    assert recorded == run.parameters
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def test_template_expands_one_block_per_outcome():
    nb = nbformat.read(paths.NOTEBOOKS / "authority.ipynb", as_version=4)
    expanded = expand_template(nb, RUNS["authority_lambeth"].parameters)
    text = "\n".join(c.source for c in expanded.cells)
    assert "{{" not in text
    assert "tbl-lam-s17-panel" in text and "tbl-lam-s47-panel" in text and "tbl-lam-dic" not in text
    assert len({c.id for c in expanded.cells}) == len(expanded.cells)


def test_no_function_or_class_defined_in_a_notebook():
    for path in paths.NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert "def " not in cell.source and "class " not in cell.source, path.name


def test_parameters_cell_is_typed_and_commented():
    for path in paths.NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        for line in cell.source.strip().splitlines():
            assert ": " in line.split("=")[0] and "  # " in line, f"{path.name}: {line}"


@pytest.mark.slow
def test_broken_notebook_raises_naming_the_cell(tmp_path):
    bad = Run(paths.NOTEBOOKS / "authority.ipynb", "authority_broken",
              {**RUNS["authority_lambeth"].parameters, "correction": "no-such-convention",
               "output_dir": str(tmp_path / "out")})
    with pytest.raises(BuildError) as info:
        execute_run(bad, tmp_path, progress=False)
    assert "authority_broken" in str(info.value) and "cell" in str(info.value)


@pytest.mark.slow
def test_bad_panel_in_a_notebook_is_an_input_error(tmp_path):
    panel = tmp_path / "panel.csv"
    panel.write_text("authority,outcome,school,group,term,count,pupils\nLambeth,s17,A,intervention,Autumn 2017,x,5\n")
    bad = Run(paths.NOTEBOOKS / "authority.ipynb", "authority_badpanel",
              {**RUNS["authority_lambeth"].parameters, "panel_path": str(panel), "outcomes": ["s17"],
               "output_dir": str(tmp_path / "out")})
    with pytest.raises(BuildError) as info:
        execute_run(bad, tmp_path, progress=False)
    assert info.value.input_error and f"{panel}:2: count" in str(info.value)
