"""The notebook templates are thin, their parameters typed; executed notebooks record their parameters.

Fast tests read the templates. Tests marked ``book`` read what `make book`
executed into ``book/generated`` (every notebook is executed once per CI
run); the two that must see a notebook fail execute a run of their own.
"""

from __future__ import annotations

import ast
import re

import nbformat
import pytest

from swis import paths
from swis.book.build.execute import _into, execute_run, expand_template
from swis.book.build.plan import Run, plan
from swis.config import authorities, authority_configs, load_book_config
from swis.errors import BuildError

RUNS = {r.name: r for r in plan(load_book_config())}
TEMPLATES = sorted(paths.NOTEBOOKS.glob("*.ipynb"))
#: What a notebook cell may not contain: loops, comprehensions, branches, definitions, formatting, arithmetic,
#: indexing (pandas manipulation) and lambdas.
FORBIDDEN = (
    ast.For,
    ast.While,
    ast.If,
    ast.IfExp,
    ast.Try,
    ast.With,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.FunctionDef,
    ast.ClassDef,
    ast.Lambda,
    ast.JoinedStr,
    ast.BinOp,
    ast.Subscript,
    ast.BoolOp,
    ast.Compare,
    ast.Dict,
    ast.List,
    ast.Tuple,
    ast.Starred,
    ast.Await,
)


def _names_in_data() -> set[str]:
    """Authority names and outcome keys, which no notebook literal may spell."""
    return set(authorities()) | {o for c in authority_configs() for o in c.outcomes}


def cell_problems(source: str, pages: set[str], known: set[str]) -> list[str]:
    """Why a code cell is not one call into ``swis.book.pages`` (empty when it is).

    ``pages`` holds the names bound so far to ``swis.book.pages`` objects (and
    is extended by imports and assignments); ``known`` the names no string
    literal may spell.
    """
    tree = ast.parse(source)
    problems = [f"{type(n).__name__} not allowed" for n in ast.walk(tree) if isinstance(n, FORBIDDEN)]
    calls = [s for s in tree.body if not isinstance(s, ast.ImportFrom | ast.Import)]
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom | ast.Import):
            module = stmt.module if isinstance(stmt, ast.ImportFrom) else stmt.names[0].name
            if not (module or "").startswith("swis.book.pages"):
                problems.append(f"import of {module}: only swis.book.pages may be imported")
            pages |= {a.asname or a.name for a in stmt.names}
    if len(calls) > 1:
        problems.append(f"{len(calls)} statements: one call per cell")
    for stmt in calls:
        value = stmt.value if isinstance(stmt, ast.Assign | ast.Expr) else None
        if isinstance(stmt, ast.Assign) and not (len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            problems.append("assignment to something other than one name")
        if isinstance(value, ast.Name) and isinstance(stmt, ast.Expr):
            continue  # a bare name, to display it
        if not isinstance(value, ast.Call):
            problems.append(f"{type(stmt).__name__}: a cell is one call (or a bare name)")
            continue
        root = value.func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not (isinstance(root, ast.Name) and root.id in pages):
            problems.append(f"call of {ast.unparse(value.func)}: not into swis.book.pages")
        args = [*value.args, *(k.value for k in value.keywords)]
        problems += [
            f"argument {ast.unparse(a)}: only names and literals"
            for a in args
            if not isinstance(a, ast.Name | ast.Constant)
        ]
        if isinstance(stmt, ast.Assign):
            pages.add(stmt.targets[0].id)
    literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    problems += [f"literal {v!r} names an authority or outcome" for v in literals if v in known]
    return problems


def _code_cells(path):
    nb = nbformat.read(path, as_version=4)
    return [c for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_every_code_cell_is_one_call_into_the_pages(path):
    pages: set[str] = set()
    known = _names_in_data()
    found = {c.source: cell_problems(c.source, pages, known) for c in _code_cells(path)}
    assert not {k: v for k, v in found.items() if v}


@pytest.mark.parametrize(
    "source",
    [
        "for o in outcomes:\n    page.panel_table(o)",
        "page.panel_table(o) if o else None",
        "[page.panel_table(o) for o in outcomes]",
        'page.panel_table(f"{outcome}")',
        "rows = page.table()[page.table()['a'] > 1]",
        'page.panel_table("s47")',
        "import pandas as pd",
        "pd.concat([a, b])",
        "x = 1\npage.glue()",
    ],
)
def test_the_check_rejects_logic_in_a_cell(source):
    assert cell_problems(source, {"page", "pd"}, _names_in_data())


def test_the_check_accepts_a_call_an_assignment_and_a_name():
    pages: set[str] = set()
    assert not cell_problems("from swis.book.pages.authority import AuthorityPage", pages, set())
    assert not cell_problems("page = AuthorityPage.from_parameters(authority=authority)", pages, set())
    assert not cell_problems('page.panel_table("{{outcome}}")', pages, set())
    assert not cell_problems("page", pages, set())


def test_parameters_cell_is_typed_and_commented():
    for path in TEMPLATES:
        nb = nbformat.read(path, as_version=4)
        (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        for line in cell.source.strip().splitlines():
            assert ": " in line.split("=")[0] and "  # " in line, f"{path.name}: {line}"
            assert not (set(re.findall(r'"([^"]*)"', line)) & set(authorities())), f"{path.name}: {line}"


def test_template_expands_one_block_per_outcome():
    nb = nbformat.read(paths.NOTEBOOKS / "authority.ipynb", as_version=4)
    expanded = expand_template(nb, RUNS["authority_lambeth"].parameters)
    text = "\n".join(c.source for c in expanded.cells)
    assert "{{" not in text
    assert "tbl-lam-s17-panel" in text and "tbl-lam-s47-panel" in text and "tbl-lam-dic" not in text
    assert len({c.id for c in expanded.cells}) == len(expanded.cells)


def _recorded(nb) -> dict:
    cells = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    assert "remove-cell" in cells[0].metadata["tags"]  # kept as the record, hidden from readers
    recorded: dict = {}
    exec(cells[0].source, {}, recorded)  # the injected cell is plain assignments
    return recorded


@pytest.mark.book
@pytest.mark.parametrize("name", sorted(RUNS))
def test_executed_notebook_records_its_parameters_and_has_no_error(built, name):
    nb = nbformat.read(built["generated"] / f"{name}.ipynb", as_version=4)
    recorded = _recorded(nb)
    # exactly as planned, relative to the repository root: never the staging folder the run wrote into
    assert recorded == RUNS[name].parameters
    assert nb.metadata["papermill"]["parameters"] == RUNS[name].parameters
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


@pytest.mark.book
def test_broken_notebook_raises_naming_the_cell(built, tmp_path):
    bad = Run(
        paths.NOTEBOOKS / "authority.ipynb",
        "authority_broken",
        {
            **RUNS["authority_lambeth"].parameters,
            "correction": "no-such-convention",
            "output_dir": str(tmp_path / "out"),
        },
    )
    with pytest.raises(BuildError) as info:
        execute_run(bad, tmp_path, progress=False)
    message = str(info.value)
    assert "authority_broken" in message and re.search(r"failed in cell \d+", message)
    assert not info.value.input_error


@pytest.mark.book
def test_bad_panel_in_a_notebook_is_an_input_error(built, tmp_path):
    panel = tmp_path / "panel.csv"
    panel.write_text("authority,outcome,school,group,term,count,pupils\nLambeth,s17,A,intervention,Autumn 2017,x,5\n")
    bad = Run(
        paths.NOTEBOOKS / "authority.ipynb",
        "authority_badpanel",
        {
            **RUNS["authority_lambeth"].parameters,
            "panel_path": str(panel),
            "outcomes": ["s17"],
            "output_dir": str(tmp_path / "out"),
        },
    )
    with pytest.raises(BuildError) as info:
        execute_run(_into(bad, tmp_path), tmp_path, progress=False)
    assert info.value.input_error and f"{panel}:2: count" in str(info.value)
