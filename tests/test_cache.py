"""The execution cache is right, not just fast: what changes re-executes, what does not is reused.

Fast tests drive :mod:`swis.book.build.cache` with runs and recordings of their own. Tests marked ``book``
use the cache `make book` filled: in a copy of the repository, changing one data file makes exactly the
notebooks that read it re-execute (``swis build --dry-run``), and a failed run stores nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from in_copy import swis_in

from swis import paths
from swis.book.build import cache
from swis.book.build.plan import Run, plan
from swis.book.build.record import Recorder
from swis.book.pdf import PDF_NAME
from swis.config import load_book_config
from swis.io import part_of, reading_part, reading_parts


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """A cache folder and a data file of the test's own; a run that 'read' the file."""
    monkeypatch.setattr(cache, "CACHE", tmp_path / "cache")
    (tmp_path / "cache").mkdir()
    data = paths.ROOT / "results" / "test_cache_input.csv"
    data.parent.mkdir(exist_ok=True)
    data.write_text("a\n1\n")
    staging = tmp_path / "staging"
    staging.mkdir()
    notebook = staging / "toy.ipynb"
    notebook.write_text("{}")
    record = tmp_path / "record.json"
    record.write_text(json.dumps({"read": [paths.relative(data), "swis/paths.py"], "written": []}))
    run = Run(paths.NOTEBOOKS / "facts.ipynb", "toy", {"facts_dir": "data/facts"})
    yield run, staging, notebook, record, data
    data.unlink(missing_ok=True)


def test_nothing_changed_is_reused_and_a_changed_input_is_not(isolated):
    run, staging, notebook, record, data = isolated
    assert not cache.decide(run, staging).reuse  # never executed
    cache.store(run, staging, notebook, record)
    assert cache.decide(run, staging) == cache.Decision(True, "nothing it depends on changed")
    data.write_text("a\n2\n")
    decision = cache.decide(run, staging)
    assert not decision.reuse and decision.reason == f"{paths.relative(data)} changed"


def test_parameters_template_and_force_re_execute(isolated):
    run, staging, notebook, record, _ = isolated
    cache.store(run, staging, notebook, record)
    assert cache.decide(Run(run.template, run.name, {"facts_dir": "elsewhere"}), staging).reason == "parameters changed"
    assert cache.decide(Run(paths.NOTEBOOKS / "audit.ipynb", run.name, run.parameters), staging).reason == (
        "template changed"
    )
    assert cache.decide(run, staging, force=True).reason == "forced"


def test_the_package_source_is_part_of_the_key(isolated, monkeypatch):
    run, staging, notebook, record, _ = isolated
    cache.store(run, staging, notebook, record)
    monkeypatch.setattr(cache, "tree_hash", lambda root, pattern: "another version of swis")
    assert cache.decide(run, staging).reason == "swis changed"


def test_restore_brings_back_the_notebook_and_what_the_run_wrote(isolated, tmp_path):
    run, staging, notebook, record, _ = isolated
    out = staging / "results" / "toy" / "estimates.csv"
    out.parent.mkdir(parents=True)
    out.write_text("x\n")
    record.write_text(json.dumps({"read": [], "written": [paths.relative(out)]}))
    cache.store(run, staging, notebook, record)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    cache.restore(run, fresh)
    assert (fresh / "toy.ipynb").read_text() == "{}" and (fresh / "results/toy/estimates.csv").read_text() == "x\n"


def test_the_recorder_tells_reads_from_writes(tmp_path):
    rec = Recorder(str(tmp_path))
    (tmp_path / "in.csv").write_text("a")
    rec("open", (str(tmp_path / "in.csv"), "r", 0))
    rec("open", (str(tmp_path / "out.csv"), "w", 0))
    rec("os.replace", (str(tmp_path / ".tmp"), str(tmp_path / "final.csv"), None, None))
    rec("open", ("/elsewhere/file", "r", 0))
    saved = json.loads(rec.finish("toy").read_text())
    assert saved == {"read": ["in.csv"], "written": ["final.csv", "out.csv"], "parts": {}}


def test_the_recorder_records_a_part_read_as_that_part(tmp_path):
    """An open inside reading_part is a read of those rows only, unless the file was also read whole."""
    rec = Recorder(str(tmp_path))
    panel, other = str(tmp_path / "panel.csv"), str(tmp_path / "other.csv")
    with reading_part(panel, "authority", "Stockport"), reading_part(other, "authority", "Lambeth"):
        rec("open", (panel, "r", 0))
        rec("open", (other, "r", 0))
    with reading_part(panel, "authority", "Lambeth"):
        rec("open", (panel, "r", 0))
    rec("open", (other, "r", 0))  # read whole as well: the whole file is what the run depends on
    saved = json.loads(rec.finish("toy").read_text())
    assert saved["read"] == ["other.csv"]
    assert saved["parts"] == {"panel.csv": [["authority", "Lambeth"], ["authority", "Stockport"]]}


def test_a_declaration_around_a_reader_wins_over_the_readers_own(tmp_path):
    """The caller knows which part of what a function reads its result depends on (e.g. one outcome's counts)."""
    rec = Recorder(str(tmp_path))
    panel = str(tmp_path / "panel.csv")
    used = [part_of("authority", "Stockport", ("school",)), part_of(("authority", "outcome"), ("Stockport", "s47"))]
    with reading_parts(panel, used), reading_part(panel, "authority", "Stockport"):
        rec("open", (panel, "r", 0))
    saved = json.loads(rec.finish("toy").read_text())
    assert saved["parts"] == {
        "panel.csv": [["authority", "Stockport", "school"], ["authority&outcome", "Stockport&s47"]]
    }


OUTCOMES = "authority,outcome,count\nSouthampton,s17,1\nSouthampton,s47,2\nStockport,s47,3\n"


@pytest.mark.parametrize(
    ("edit", "changed"),
    [
        (OUTCOMES.replace("s17,1", "s17,4"), False),  # another outcome's count
        (OUTCOMES.replace("Stockport,s47,3", "Stockport,s47,5"), False),  # another authority's count
        (OUTCOMES.replace("s47,2", "s47,4"), True),  # its own count
        (OUTCOMES.replace("Stockport,s47", "Stockport,s74"), True),  # a misspelt outcome anywhere is refused
        (OUTCOMES.replace("count\n", "count\nStockport,s17,0\n"), True),  # its row on another line
    ],
    ids=["other-outcome", "other-authority", "own-count", "misspelt-outcome", "moved-row"],
)
def test_a_part_selected_on_two_columns_changes_with_its_rows_only(tmp_path, edit, changed):
    data = tmp_path / "panel.csv"
    data.write_text(OUTCOMES)
    before = cache.part_hash(data, "authority&outcome", "Southampton&s47")
    data.write_text(edit)
    assert (cache.part_hash(data, "authority&outcome", "Southampton&s47") != before) is changed


def test_a_part_selected_on_two_columns_is_named_by_both(isolated):
    run, staging, notebook, record, data = isolated
    data.write_text(OUTCOMES)
    parts = [["authority&outcome", "Southampton&s47"]]
    record.write_text(json.dumps({"read": [], "written": [], "parts": {paths.relative(data): parts}}))
    cache.store(run, staging, notebook, record)
    data.write_text(OUTCOMES.replace("s17,1", "s17,4"))
    assert cache.decide(run, staging).reuse
    data.write_text(OUTCOMES.replace("s47,2", "s47,4"))
    assert cache.decide(run, staging).reason == (
        f"the rows of {paths.relative(data)} with authority Southampton and outcome s47 changed"
    )


PANEL = "authority,count\nSouthampton,1\nStockport,2\n"


@pytest.fixture
def part_run(isolated):
    """The isolated run, recorded as having read the Southampton rows of its data file only."""
    run, staging, notebook, record, data = isolated
    data.write_text(PANEL)
    record.write_text(
        json.dumps({"read": [], "written": [], "parts": {paths.relative(data): [["authority", "Southampton"]]}})
    )
    cache.store(run, staging, notebook, record)
    return run, staging, data


def test_a_part_of_some_columns_changes_with_those_columns_only(isolated):
    run, staging, notebook, record, data = isolated
    data.write_text(PANEL)
    labels = [["authority", "Southampton", "authority"]]
    record.write_text(json.dumps({"read": [], "written": [], "parts": {paths.relative(data): labels}}))
    cache.store(run, staging, notebook, record)
    data.write_text(PANEL.replace("Southampton,1", "Southampton,4"))
    assert cache.decide(run, staging).reuse  # a count, which the run did not read
    data.write_text(PANEL.replace("Southampton,1", "Southampton,4").replace("count\n", "count\nStockport,5\n"))
    assert cache.decide(run, staging).reason == (
        f"the authority of the rows of {paths.relative(data)} with authority Southampton changed"
    )


def test_a_change_to_rows_a_run_did_not_read_reuses_it(part_run):
    run, staging, data = part_run
    data.write_text(PANEL.replace("Stockport,2", "Stockport,3"))
    assert cache.decide(run, staging).reuse


@pytest.mark.parametrize(
    "edit",
    [
        PANEL.replace("Southampton,1", "Southampton,4"),  # its own count
        PANEL.replace("Stockport,2", "Stockprot,2"),  # a misspelt authority, which the reader refuses
        PANEL.replace("Stockport,2", "Stockport,2,9"),  # a row with a cell too many, which the reader refuses
        PANEL.replace("count\n", "count\nStockport,5\n"),  # its rows on other lines, which messages cite
    ],
    ids=["own-count", "misspelt-authority", "ragged-row", "moved-rows"],
)
def test_a_change_to_what_a_part_read_saw_re_executes(part_run, edit):
    run, staging, data = part_run
    data.write_text(edit)
    decision = cache.decide(run, staging)
    assert not decision.reuse
    assert decision.reason == f"the rows of {paths.relative(data)} with authority Southampton changed"


def _copy_with_cache(root: Path) -> Path:
    """The tracked files, the executed notebooks and the cache of `make book`, in another folder."""
    listed = subprocess.run(["git", "ls-files"], cwd=paths.ROOT, capture_output=True, text=True, check=True)
    for rel in listed.stdout.splitlines():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(paths.ROOT / rel, root / rel)
    for folder in (".swis-cache", "book/generated"):
        shutil.copytree(paths.ROOT / folder, root / folder, ignore=shutil.ignore_patterns("render"), symlinks=True)
    # the cache records paths relative to the root, so a copy's cache is the copy's
    return root


def _dry_run(root: Path) -> dict[str, str]:
    done = swis_in(root, "build", "--dry-run")
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        line.split()[1].rstrip(":"): line.split()[0]
        for line in done.stdout.splitlines()
        if not line.startswith("render")
    }


@pytest.mark.book
def test_changing_one_data_file_re_executes_exactly_the_notebooks_that_read_it(built, tmp_path):
    root = _copy_with_cache(tmp_path)
    names = {r.name for r in plan(load_book_config())}
    assert _dry_run(root) == {n: "reuse" for n in names}  # nothing changed: nothing re-executes
    (root / "data/logic_model.yml").write_text((root / "data/logic_model.yml").read_text() + "\n# edited\n")
    after = _dry_run(root)
    assert {n for n, what in after.items() if what == "re-execute"} == {"logic_model"}


def _edit_count(root: Path, authority: str, outcome: str = "") -> None:
    """Add one to the first count of ``authority`` (of ``outcome``, when given) in the copy's report panel."""
    panel = root / "data/panels/swis_panel.csv"
    lines = panel.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{authority},{outcome}"))
    cells = lines[at].split(",")
    cells[5] = str(int(cells[5]) + 1)
    lines[at] = ",".join(cells)
    panel.write_text("".join(lines), encoding="utf-8")


#: The runs that read Southampton's Section 17 counts in the report's panel (the matching chapter reads only
#: its schools' labels, to plant synthetic pilots of the same phases; the planning chapter, the Section 47 counts
#: and every row's pupils).
READ_SOUTHAMPTON = {"authority_southampton", "audit", "sensitivity"}


@pytest.mark.book
@pytest.mark.parametrize(("outcome", "also"), [("s17", set()), ("s47", {"planning"})], ids=["section-17", "section-47"])
def test_one_count_changed_re_executes_the_notebooks_that_read_its_rows(built, tmp_path, outcome, also):
    """Changing one of Southampton's counts re-executes Southampton's page, the pages that read every
    authority's rows, then the synthesis, which reads their results; the planning chapter when the count is
    one of its outcome's (Section 47); no other notebook."""
    root = _copy_with_cache(tmp_path)
    _edit_count(root, "Southampton", outcome)
    assert {n for n, what in _dry_run(root).items() if what == "re-execute"} == READ_SOUTHAMPTON | also
    done = swis_in(root, "build", "--no-render", "--quiet")
    assert done.returncode == 0, done.stderr[-2000:]
    executed = {line.split()[1] for line in done.stderr.splitlines() if line.startswith("  executing ")}
    assert executed == READ_SOUTHAMPTON | also | {"synthesis"}


@pytest.mark.book
def test_an_incremental_render_indexes_no_word_its_pages_no_longer_have(built, tmp_path):
    """A word removed from a page leaves the search index, as it would be absent from a fresh render's."""
    root = _copy_with_cache(tmp_path)
    page, word = root / "book/part1/discussion.md", "zyzzogeton"
    text = page.read_text(encoding="utf-8")
    index = root / "_build/html/searchindex.js"
    for edit, present in ((text + f"\n{word.capitalize()}.\n", True), (text, False)):
        page.write_text(edit, encoding="utf-8")
        done = swis_in(root, "build", "--quiet")  # the first renders every page, the second only this one
        assert done.returncode == 0, done.stderr[-2000:]
        assert (f'"{word}"' in index.read_text(encoding="utf-8")) is present


@pytest.mark.book
def test_a_failed_run_is_not_cached(built, tmp_path, monkeypatch):
    from swis.book.build.execute import _execute_one
    from swis.errors import BuildError

    monkeypatch.setattr(cache, "CACHE", tmp_path / "cache")
    (tmp_path / "cache").mkdir()
    (good,) = [r for r in plan(load_book_config()) if r.name == "logic_model"]
    bad = Run(good.template, "logic_model_broken", {"logic_model_path": "data/no-such-file.yml"})
    with pytest.raises(BuildError):
        _execute_one(bad, tmp_path, progress=False)
    assert not (tmp_path / "cache" / "logic_model_broken").exists()
    assert not (paths.ROOT / ".swis-cache" / "logic_model_broken").exists()


@pytest.mark.book
def test_a_cached_build_renders_the_same_html_as_a_forced_one(built):
    """`make book` in CI executes everything (--force) and renders from empty (--clean); rendering again
    from the cached notebooks must give the same bytes."""

    def tree(root: Path) -> dict[str, bytes]:
        # the PDF edition's cover names the commit and whether the tree was clean when it was printed, which a
        # commit since `make book` changes without changing a page
        pages = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}
        return {rel: p.read_bytes() for rel, p in pages.items() if rel != PDF_NAME}

    before = tree(built["html"])
    done = subprocess.run(
        [str(Path(sys.executable).with_name("swis")), "build", "--quiet", "--clean", "--pdf"],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "executing" not in done.stderr  # every notebook came from the cache
    assert tree(built["html"]) == before
