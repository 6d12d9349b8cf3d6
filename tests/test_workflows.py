"""The researcher workflows the book documents: another authority, new terms, own comparison schools.

Fast tests check the pieces (table of contents, scaffold, matching of the example, audit and synthesis of an
added authority). Tests marked ``book`` walk the workflows from a fresh copy of the repository (its tracked
files) to a built book, as a researcher following the reproducibility appendix would.
"""

from __future__ import annotations

import html as html_module
import re
import shutil
import subprocess

import pandas as pd
import pytest
import yaml
from in_copy import swis_in
from typer.testing import CliRunner

from swis import paths
from swis.audit.compare import NO_TABLE, audit_outcome
from swis.book.toc import TEMPLATE, toc, toc_files
from swis.cli import app
from swis.config import authorities, load_book_config, load_config
from swis.config.book import entry
from swis.data.panel import load_panel
from swis.data.published import load_published

runner = CliRunner()
#: The command that adds Northshire (its outcomes follow).
SCAFFOLD = (
    "new-authority",
    "Northshire",
    "--terms",
    "Autumn 2017,Autumn 2018,Autumn 2019",
    "--reference",
    "Autumn 2018",
    "--intervention",
    "Autumn 2019",
    "--outcomes",
)
NEW = {"name": "Northshire", "panel": "data/panels/northshire.csv", "config": "data/config/northshire.yml"}


def test_toc_follows_the_book_config():
    book = load_book_config()
    files = toc_files(toc(book))
    for name in authorities(book):
        assert f"book/generated/authority_{name.lower()}" in files
    added = toc_files(toc({**book, "authorities": [*book["authorities"], NEW]}))
    assert "book/generated/authority_northshire" in added
    # an authority without prose pages gets its generated chapter as a chapter of Part Two
    part_two = next(
        p
        for p in toc({**book, "authorities": [*book["authorities"], NEW]})["parts"]
        if p["caption"].startswith("Part Two")
    )
    assert {"file": "book/generated/authority_northshire"} in part_two["chapters"]
    removed = toc_files(toc({**book, "authorities": book["authorities"][1:]}))
    assert f"book/generated/authority_{book['authorities'][0].lower()}" not in removed
    assert "book/generated/walkthrough" not in toc_files(toc({k: v for k, v in book.items() if k != "example"}))


def test_no_authority_is_named_in_the_toc_template_or_committed_toc():
    text = TEMPLATE.read_text()
    assert not [a for a in authorities() if a in text]
    assert "_toc.yml" in (paths.ROOT / ".gitignore").read_text().split()


def test_entries_fill_in_their_defaults():
    e = entry(NEW)
    assert (e.name, e.pilot, e.slug) == ("Northshire", False, "northshire")
    assert entry("Lambeth").panel == paths.relative(paths.PANEL) and entry("Lambeth").pilot


def test_scaffold_writes_a_config_and_an_empty_panel_and_never_overwrites(tmp_path):
    args = [
        *SCAFFOLD,
        "s17,s47",
        "--config-out",
        str(tmp_path / "n.yml"),
        "--panel-out",
        str(tmp_path / "n.csv"),
    ]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    cfg = load_config(tmp_path / "n.yml")
    assert (cfg.authority, cfg.reference_term, list(cfg.outcomes)) == ("Northshire", "Autumn 2018", ["s17", "s47"])
    assert (tmp_path / "n.csv").read_text().startswith("authority,outcome,school,group,term,count,pupils")
    assert "next:" in done.stdout and "data/book.yml" in done.stdout
    before = (tmp_path / "n.yml").read_text()
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "never overwrites" in again.stderr
    assert (tmp_path / "n.yml").read_text() == before


def test_scaffold_refuses_an_impossible_design_and_writes_nothing(tmp_path):
    done = runner.invoke(
        app,
        [
            "new-authority",
            "X",
            "--terms",
            "A,B",
            "--reference",
            "B",
            "--intervention",
            "C",
            "--config-out",
            str(tmp_path / "x.yml"),
            "--panel-out",
            str(tmp_path / "x.csv"),
        ],
    )
    assert done.exit_code == 2 and "intervention_terms" in done.stderr
    assert not list(tmp_path.iterdir())


def test_matching_the_example_reproduces_its_shipped_panel(tmp_path):
    example = load_book_config()["example"]
    out = tmp_path / "panel.csv"
    done = runner.invoke(
        app,
        [
            "match",
            example["admin"],
            "--config",
            example["config"],
            "--per-school",
            "2",
            "--panel-out",
            str(out),
            "--out",
            str(tmp_path / "pairs.csv"),
        ],
    )
    assert done.exit_code == 0, done.output
    assert out.read_bytes() == paths.resolve(example["panel"]).read_bytes()


def test_audit_of_an_authority_without_a_published_table_says_so():
    example = load_book_config()["example"]
    panel = load_panel(paths.resolve(example["panel"]), load_config(paths.resolve(example["config"])))
    rows, verdict = audit_outcome(panel, "s47", load_published())
    assert rows.empty and verdict["verdict"] == NO_TABLE and verdict["reproduced"] is None


def test_synthesis_marks_added_data(tmp_path, monkeypatch):
    from swis.book.pages import synthesis

    example = entry(load_book_config()["example"])
    folder = tmp_path / example.slug
    folder.mkdir()
    pd.DataFrame(
        {
            "outcome": ["s47"],
            "coefficient": ["Intervention by time"],
            "irr": [0.9],
            "ci_low": [0.5],
            "ci_high": [1.5],
            "p_value": [0.7],
            "estimable": [True],
        }
    ).to_csv(folder / "estimates_s47.csv")
    monkeypatch.setattr(synthesis, "authority_entries", lambda: [example])
    rows = synthesis.interaction_estimates(tmp_path)
    assert not rows["pilot"].any() and rows["label"].str.endswith(f"({synthesis.ADDED})").all()


# -------------------------------------------------------------------------------------------------------
# Walked from a fresh copy of the repository to a built book


def _fresh_copy(root):
    """The repository's tracked files, copied as a clone would have them."""
    files = subprocess.run(["git", "ls-files"], cwd=paths.ROOT, capture_output=True, text=True, check=True)
    for rel in files.stdout.splitlines():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(paths.ROOT / rel, root / rel)
    return root


def _swis(root, *args):
    done = swis_in(root, *args)
    assert done.returncode == 0, f"swis {' '.join(args)}: {done.stderr[-3000:]}"
    return done


def _northshire_rows(root):
    """A fourth authority's panel: rows of the shape of a real table, small counts included (test data)."""
    published = pd.read_csv(root / "data/panels/swis_panel.csv")
    rows = published[(published["authority"] == "Stockport") & (published["outcome"] == "s17")].copy()
    rows["authority"] = "Northshire"
    rows["school"] = rows["school"].str.replace("STO_", "NOR_", regex=False)
    rows["printed_rate"] = ""
    return rows.drop(columns=["source"], errors="ignore")


@pytest.fixture(scope="module")
def stranger(tmp_path_factory, built):
    """A fresh copy in which a fourth authority was added and built, following the appendix's instructions."""
    root = _fresh_copy(tmp_path_factory.mktemp("stranger"))
    _swis(root, *SCAFFOLD, "s17")
    panel = root / "data/panels/northshire.csv"
    _northshire_rows(root).to_csv(panel, index=False)
    _swis(root, "validate", "data/panels/northshire.csv", "--config", "data/config/northshire.yml")
    book = yaml.safe_load((root / "data/book.yml").read_text())
    book["authorities"].append(NEW)
    (root / "data/book.yml").write_text(yaml.safe_dump(book, sort_keys=False))
    _swis(root, "build", "--quiet")
    return root


@pytest.mark.book
def test_a_fourth_authority_gets_its_chapter_suppressed_and_marked(stranger):
    html = stranger / "_build/html/book/generated"
    page = (html / "authority_northshire.html").read_text()
    assert "Northshire" in page and "&lt;10" in page  # small counts of local data are suppressed
    assert "not from the report" in page
    assert "added data, not a pilot" in (html / "synthesis.html").read_text()
    assert "no published table to compare with" in (html / "audit.html").read_text()


@pytest.mark.book
def test_new_terms_run_through_validate_did_run_and_the_book(stranger):
    published = pd.read_csv(stranger / "data/panels/swis_panel.csv")
    rows = published[published["authority"] == "Stockport"].drop(columns=["source"])
    later = rows[rows["term"] == "Autumn 2019"].assign(term="Autumn 2020", printed_rate="")  # test data only
    (stranger / "stockport_2020.csv").write_text(pd.concat([rows, later]).to_csv(index=False))
    config = (stranger / "data/config/stockport.yml").read_text()
    config = config.replace("  - Autumn 2019\n", "  - Autumn 2019\n  - Autumn 2020\n")
    (stranger / "stockport_2020.yml").write_text(config)
    _swis(stranger, "validate", "stockport_2020.csv", "--config", "stockport_2020.yml")
    did = _swis(stranger, "did", "stockport_2020.csv", "--config", "stockport_2020.yml", "--outcome", "s17")
    assert "Intervention by time: Autumn 2020" in did.stdout and "Intervention by time (pooled)" in did.stdout
    _swis(
        stranger,
        "run",
        "Stockport",
        "--param",
        "panel_path=stockport_2020.csv",
        "--param",
        "config_path=stockport_2020.yml",
        "--quiet",
    )
    page = (stranger / "_build/html/book/generated/authority_stockport.html").read_text()
    assert "Intervention by time: Autumn 2020" in page and "Intervention by time: Autumn 2019" in page


def _text(page) -> str:
    """A page's text without its tags."""
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", "", page.read_text())))


@pytest.mark.book
def test_the_walkthrough_and_the_worked_example_are_built(built):
    html = built["html"] / "book/generated"
    walk = _text(html / "walkthrough.html")  # the highlighted console blocks split commands into spans
    for command in ("swis new-authority", "swis match", "swis validate", "swis did"):
        assert command in walk
    example = entry(load_book_config()["example"])
    assert "SYNTHETIC" in (html / f"authority_{example.slug}.html").read_text()
    synthesis = (html / "synthesis.html").read_text()
    article = synthesis[synthesis.index("<article") : synthesis.index("</article>")]  # not the navigation
    assert example.name not in article  # never among the pilots' results
