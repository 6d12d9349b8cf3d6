"""The record of the reports (``data/record/``): the ledger of contradictions and the map of the reports.

The fast tests check the files and that every place the map names exists in the book's sources (a MyST label
of the registry or of a page, or a heading of the page); the tests marked ``book`` check the same places in
the built HTML. The ledger's entries are checked against the reports' text where it is beside the repository.
"""

from __future__ import annotations

import json
import re
from functools import cache

import prose
import pytest
from docutils.nodes import make_id

from swis import paths
from swis.book import registry
from swis.config import authority_entries, load_book_config
from swis.data import record
from swis.errors import InputError

TARGET = re.compile(r"^\(([\w-]+)\)=\s*$", re.M)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.M)
NEEDS_SEEDS = pytest.mark.skipif(
    not prose.SEEDS.is_dir(), reason=f"the reports are not beside the repository ({prose.SEEDS} is absent)"
)
LEDGER = record.load_contradictions()
MAP = record.load_report_map()
COVERED = list(record.covered(MAP).itertuples())


@cache
def _markdown(page: str) -> str:
    """The Markdown source of a book page: its .md file, or the Markdown cells of the notebook template that
    makes a generated page (``book/generated/authority_<slug>`` comes from ``notebooks/authority.ipynb``)."""
    path = paths.ROOT / f"{page}.md"
    if path.exists():
        return path.read_text(encoding="utf-8")
    name = page.removeprefix("book/generated/")
    template = paths.NOTEBOOKS / f"{'authority' if name.startswith('authority_') else name}.ipynb"
    cells = json.loads(template.read_text(encoding="utf-8"))["cells"]
    text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    # the authority template's section labels, as the build fills them in (sec-<slug>-impact[-<oc>])
    slug = name.removeprefix("authority_")
    return text.replace("{{label}}", f"sec-{slug}-impact")


@cache
def _labels() -> frozenset[str]:
    """Every MyST label of the book's sources: the registry's tables and figures and every page's targets."""
    labels = {r["label"] for r in registry.expand()}
    for path in paths.BOOK.rglob("*.md"):
        labels |= set(TARGET.findall(path.read_text(encoding="utf-8")))
    for path in paths.NOTEBOOKS.glob("*.ipynb"):
        labels |= set(TARGET.findall(_markdown(f"book/generated/{path.stem}")))
    for entry in authority_entries(load_book_config()):
        text = _markdown(f"book/generated/authority_{entry.name.lower()}")
        for outcome in ("s17", "s47", "dic"):
            labels |= set(TARGET.findall(text.replace("{{oc}}", outcome)))
    return frozenset(labels)


@cache
def _anchors(page: str) -> set[str]:
    """The HTML ids Sphinx gives the headings of a page."""
    return {make_id(re.sub(r"\{[\w:-]+\}`[^`]*`", "", h)) for h in HEADING.findall(_markdown(page))}


def test_the_ledger_holds_the_contradictions_the_issue_names():
    text = " ".join(LEDGER["topic"]).lower()
    for topic in ("school", "fieldwork", "semh", "pupils", "team", "office", "quotation", "caption"):
        assert topic in text + " " + " ".join(LEDGER["value_a"]).lower(), topic
    assert set(LEDGER["section"]) == set(record.SECTIONS)


def test_a_ledger_row_without_a_reason_is_refused(tmp_path):
    bad = LEDGER.head(1).assign(why="")
    bad.to_csv(tmp_path / "contradictions.csv", index=False)
    with pytest.raises(InputError, match="why"):
        record.load_contradictions(tmp_path / "contradictions.csv")


def test_a_map_row_not_reproduced_without_a_reason_is_refused(tmp_path):
    bad = MAP.head(1).assign(label=record.NOT_REPRODUCED, note="")
    bad.to_csv(tmp_path / "report_map.csv", index=False)
    with pytest.raises(InputError, match="note"):
        record.load_report_map(tmp_path / "report_map.csv")


def test_the_map_covers_every_numbered_table_and_figure_of_the_reports():
    """Each chapter's tables and figures are numbered from 1 without a gap; the map lists every number."""
    chapter = MAP["part"].where(MAP["part"].str.startswith("Part Two:"), "Part One and the summary")
    for (report, part), rows in MAP.groupby([MAP["report"], chapter]):
        for kind in ("table", "figure"):
            items = rows.loc[rows["kind"] == kind, "item"]
            numbers = {int(m) for m in items.str.extract(r"^\w+ (\d+)", expand=False).dropna()}
            if numbers:
                assert numbers >= set(range(1, max(numbers) + 1)), (report, part, kind)


@pytest.mark.parametrize("row", COVERED, ids=lambda r: f"{r.part}: {r.item}"[:70])
def test_every_mapped_place_exists_in_the_book_sources(row):
    if row.label.startswith("#"):
        assert row.label[1:] in _anchors(row.page), f"{row.page} has no heading with the id {row.label[1:]}"
    else:
        assert row.label in _labels(), f"{row.label} is neither registered nor a target of any page"


def test_every_chapter_links_to_its_part_of_the_ledger():
    pages = {
        "sec-ledger-southampton": ["part2/southampton.md", "appendix/interim_southampton.md"],
        "sec-ledger-stockport": ["part2/stockport.md"],
        "sec-ledger-lambeth": ["part2/lambeth.md"],
        "sec-ledger-across": ["part1/methods.md", "part1/introduction.md"],
    }
    for label, files in pages.items():
        for name in files:
            assert f"{{ref}}`{label}`" in (paths.BOOK / name).read_text(encoding="utf-8"), (name, label)


@NEEDS_SEEDS
def test_the_ledgers_values_are_printed_in_the_reports():
    """The reports' own words for the values the ledger sets against each other (one pair per entry)."""
    report = " " + " ".join(prose.words(" ".join(p.read_text(encoding="utf-8") for p in prose.SEEDS.glob("*.txt"))))
    evidence = {
        "ACR-1": ["implementation april june 2019", "phase 2 may june 2019"],
        "ACR-2": ["the third phase november 2019 january 2020", "phase 3 november 2019 february 2020"],
        "ACR-3": ["two secondary and eight primary schools", "two secondary schools and nine primary schools"],
        "SOU-1": ["first round of fieldwork may 2019", "completed the fieldwork in southampton in june 2019"],
        "SOU-2": ["placed into three school clusters", "placed into two mainstream clusters"],
        "SOU-3": ["in phase 2 of the evaluation we will explore", "phase 3 november 2019"],
        "SOU-4": ["specialist educational and mental health", "social emotional and mental health"],
        "SOU-5": ["table 3 section 17 starts by term and school", "starts per 100 students are presented in table 5"],
        "SOU-6": ["recruiting a sixth social worker", "number of social workers 2 2 1 1 2"],
        "SOU-7": ["interview with school staff 2 observations of social work practice 1", "social worker focus group"],
        "STO-1": ["six social workers three senior practitioners one project manager", "seven social workers3"],
        "STO-2": ["march june 2019", "phase 2 may june 2019"],
        "STO-3": ["table 1 data collection november 2019", "phase 3 november 2019 february 2020"],
        "STO-4": ["social workers and senior practitioners2 4", "interviews with social workers 5 7 5 17"],
        "STO-5": ["autumn 2019 6 309 1 94 0 209 0 00 10 1040", "autumn 2019 2 309 0 01 615 699"],
        "LAM-1": ["four secondary and two primary schools", "five secondary and three primary schools"],
        "LAM-2": ["interview with head teacher 2", "including headteachers and senior managers 7 2 3 12"],
        "LAM-3": ["interviews with children young people 3 1 4", "including informal interviews with young people"],
        "LAM-4": ["they all had office space", "lam primary3 int 1 hotdesking"],
        "LAM-5": ["a social care manager observed", "a harder time and their expectations were much higher dsl"],
    }
    assert set(evidence) == set(LEDGER["id"]), "every ledger entry needs its evidence here"
    missing = [(k, words) for k, pair in evidence.items() for words in pair if f" {words} " not in report + " "]
    assert missing == []


@pytest.mark.book
@pytest.mark.parametrize("row", COVERED, ids=lambda r: f"{r.part}: {r.item}"[:70])
def test_every_mapped_place_exists_in_the_built_book(built, row):
    html = built["html"] / f"{row.page}.html"
    assert html.exists(), f"{row.page} is not a page of the built book"
    target = row.label.removeprefix("#")
    assert f'id="{target}"' in html.read_text(encoding="utf-8"), f"{row.page}.html has no id {target}"


@pytest.mark.book
def test_the_ledger_and_the_map_are_in_the_built_book(built):
    page = (built["html"] / "book" / "generated" / "facts.html").read_text(encoding="utf-8")
    for label in [*record.SECTIONS.values(), "sec-report-map", "sec-contradictions"]:
        assert f'id="{label}"' in page, label
    for entry_id in LEDGER["id"]:
        assert f">{entry_id}<" in page, entry_id
