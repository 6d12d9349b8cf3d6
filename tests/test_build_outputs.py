"""The build fails on a notebook that writes to stderr or displays what does not render, naming the notebook.

A template that warns is executed by papermill exactly as the book's are (:func:`execute_run`); the display
checks read outputs made here. The report's pilots' banner shows nothing rather than an empty Markdown.
"""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from swis import paths
from swis.book.build.execute import execute_run
from swis.book.build.outputs import output_problems
from swis.book.build.plan import Run, authority_parameters
from swis.errors import BuildError

KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


@pytest.fixture
def warns(tmp_path):
    """A template whose second cell warns (Python prints warnings to stderr), run as ``test_warns``."""
    template = tmp_path / "warns.ipynb"
    cells = [
        new_code_cell("threshold = 3", metadata={"tags": ["parameters"]}),
        new_code_cell("import warnings\n\nwarnings.warn(f'only {threshold} schools: the estimate is unstable')"),
    ]
    cells[1].id = "warns"
    nbformat.write(new_notebook(cells=cells, metadata=KERNEL), template)
    yield Run(template, "test_warns", {"threshold": 2})
    (paths.ROOT / ".swis-cache" / "records" / "test_warns.json").unlink(missing_ok=True)


def test_a_notebook_that_writes_to_stderr_fails_naming_the_notebook_and_the_message(warns, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(BuildError) as info:
        execute_run(warns, out, progress=False)
    message = str(info.value)
    assert message.startswith("notebook test_warns (warns.ipynb): cell ")
    assert "(warns: import warnings) wrote to stderr: " in message  # the cell: its id and first line
    assert "wrote to stderr" in message and "UserWarning: only 2 schools: the estimate is unstable" in message
    assert not info.value.input_error


def test_the_same_notebook_without_the_warning_builds(warns, tmp_path):
    nb = nbformat.read(warns.template, as_version=4)
    nb.cells[1].source = "print(f'{threshold} schools')"  # stdout is fine
    nbformat.write(nb, warns.template)
    out = tmp_path / "out"
    out.mkdir()
    executed = nbformat.read(execute_run(warns, out, progress=False), as_version=4)
    assert executed.cells[-2].outputs[0]["text"] == "2 schools\n"


def _displayed(data: dict, kind: str = "display_data"):
    output = new_output(kind, data=data, **({"execution_count": 1} if kind == "execute_result" else {}))
    cell = new_code_cell("page.banner()", outputs=[output])
    cell.id = "banner"
    return new_notebook(cells=[cell])


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            {"text/markdown": "", "text/plain": "<IPython.core.display.Markdown object>"},
            "cell 0 (banner: page.banner()) displays an empty text/markdown output (return None to show nothing)",
        ),
        (
            {"text/plain": "<swis.book.pages.authority.AuthorityPage object at 0x7f3a2c1b9d50>"},
            "cell 0 (banner: page.banner()) displays an object that does not render: "
            "<swis.book.pages.authority.AuthorityPage object at 0x7f3a2c1b9d50>",
        ),
    ],
)
def test_a_display_that_does_not_render_is_a_problem(data, problem):
    assert output_problems(_displayed(data, "execute_result")) == [problem]


@pytest.mark.parametrize(
    "data",
    [
        {"text/markdown": "```{note}\nAdded data.\n```", "text/plain": "<IPython.core.display.Markdown object>"},
        {"text/plain": "0.85"},
        {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 640x480 with 1 Axes>"},
    ],
)
def test_a_display_that_renders_is_not(data):
    assert output_problems(_displayed(data)) == []


def test_a_pilot_page_banner_shows_nothing():
    from swis.book.pages.authority import AuthorityPage

    page = AuthorityPage.from_parameters(**authority_parameters("Stockport", {"output_dir": ""}))
    assert page.banner() is None
