"""The logic model: the shipped file loads, every element is drawn once, nothing overlaps, errors are clear."""

from __future__ import annotations

from collections import Counter

import matplotlib

matplotlib.use("Agg")  # tests draw off screen

import pytest  # noqa: E402
import yaml  # noqa: E402

from swis import paths  # noqa: E402
from swis.data.logic_model import LANE_KEYS, load_logic_model  # noqa: E402
from swis.errors import InputError  # noqa: E402
from swis.report.context_tables import logic_model_table  # noqa: E402
from swis.report.figures.logic_model import draw_logic_model, text_width, wrap_to_width  # noqa: E402


def _flat(text: str) -> str:
    return " ".join(text.split())


def _elements(fig) -> list:
    """The element text artists of a figure: (gid, text with wrapping undone)."""
    return [
        (t.get_gid(), _flat(t.get_text()))
        for t in fig.texts + fig.axes[0].texts
        if (t.get_gid() or "").startswith("element:")
    ]


def _yaml_elements(model: dict) -> list:
    """(gid, text) the figure should hold for each element of the model."""
    out = [(f"element:{k}:", s) for k in ("assumptions", "prerequisites", "final_outcome") for s in model[k]]
    for name, lane in model["pathways"].items():
        out += [(f"element:{k}:{name}", s) for k in LANE_KEYS for s in lane[k]]
    return out


@pytest.fixture(scope="module")
def model():
    return load_logic_model(paths.LOGIC_MODEL)


@pytest.fixture(scope="module")
def drawn(model):
    fig = draw_logic_model(model)
    fig.canvas.draw()
    return fig


def test_shipped_model_loads(model):
    assert sorted(model["pathways"]) == ["A", "B", "C"]
    assert "Section 2" in model["source"]
    for lane in model["pathways"].values():
        assert lane["title"] and lane["context"] and lane["mechanisms"] and lane["outcomes"]
    assert len(logic_model_table(model)) == len(_yaml_elements(model))


def test_one_text_artist_per_element(model, drawn):
    assert Counter(_elements(drawn)) == Counter(_yaml_elements(model))


def _extents(fig, kind: str) -> list:
    ax = fig.axes[0]
    artists = ax.patches if kind == "box" else ax.texts
    return [
        (a.get_gid(), a.get_window_extent())
        for a in artists
        if (a.get_gid() or "") == kind or (kind == "text" and a.get_gid())
    ]


def _overlap(a, b, tolerance: float = 0.5) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance and min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance


def _larger_model(model: dict) -> dict:
    """The shipped model with a fourth pathway and some very long elements."""
    big = yaml.safe_load(yaml.safe_dump(model))
    long = "An element written at far greater length than the others, " * 3 + "Pneumonoultramicroscopic"
    big["assumptions"].append(long)
    big["pathways"]["D"] = {
        "title": long,
        "context": [long],
        "mechanisms": ["a", long, "b"],
        "outcomes": ["c"],
        "risks": [long, "d"],
    }
    big["final_outcome"].insert(1, long)
    return big


@pytest.mark.parametrize("variant", ["shipped", "larger", "narrow"])
def test_no_boxes_or_texts_overlap_and_nothing_is_cut_off(model, drawn, variant):
    if variant == "shipped":
        fig = drawn
    else:
        fig = draw_logic_model(_larger_model(model), width=14.0 if variant == "larger" else 10.0)
        fig.canvas.draw()
    page = fig.bbox
    for kind in ("box", "text"):
        extents = _extents(fig, kind)
        assert extents
        for i, (_, a) in enumerate(extents):
            assert page.x0 <= a.x0 and a.x1 <= page.x1 and page.y0 <= a.y0 and a.y1 <= page.y1, kind
            for _, b in extents[i + 1 :]:
                assert not _overlap(a, b), (kind, a, b)


def test_every_element_sits_inside_a_box(drawn):
    boxes = [b for _, b in _extents(drawn, "box")]
    for t in drawn.axes[0].texts:
        if (t.get_gid() or "").startswith("element:"):
            e = t.get_window_extent()
            assert any(b.x0 < e.x0 and e.x1 < b.x1 and b.y0 < e.y0 and e.y1 < b.y1 for b in boxes), t.get_text()


def test_missing_pathways_names_file_line_and_key(tmp_path):
    lines = paths.LOGIC_MODEL.read_text(encoding="utf-8").splitlines()
    start, end = lines.index("pathways:"), lines.index("final_outcome:")
    bad = tmp_path / "no_pathways.yml"
    bad.write_text("\n".join(lines[:start] + lines[end:]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_logic_model(bad)
    (problem,) = info.value.problems
    first_key = next(i for i, line in enumerate(lines) if line.startswith("source:")) + 1
    assert (problem.file, problem.row, problem.column) == (str(bad), first_key, "pathways")
    assert "expected" in problem.message and f"{bad}:{first_key}: pathways:" in str(info.value)


def test_ill_typed_key_reports_its_own_line(tmp_path):
    text = paths.LOGIC_MODEL.read_text(encoding="utf-8")
    marker = "      - Parents feel watched"
    bad = tmp_path / "bad_risks.yml"
    bad.write_text(text.replace(marker, "      risk_note: " + marker.strip(" -")), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_logic_model(bad)
    (problem,) = info.value.problems
    item = next(i for i, line in enumerate(text.splitlines()) if line.startswith(marker))
    risks_line = item  # 1-based line of the "risks:" key just above the (0-based) item
    assert problem.column == "pathways.B.risks" and problem.row == risks_line
    assert "expected a list" in problem.message


def test_bad_item_and_bad_syntax_are_located(tmp_path):
    text = paths.LOGIC_MODEL.read_text(encoding="utf-8")
    bad = tmp_path / "bad_item.yml"
    bad.write_text(text.replace("  - Fewer children in care", "  - 42"), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_logic_model(bad)
    (problem,) = info.value.problems
    assert problem.column == "final_outcome[1]"
    assert problem.row == text.splitlines().index("  - Fewer children in care") + 1
    bad.write_text("assumptions: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        load_logic_model(bad)


def test_editing_the_yaml_changes_the_figure(tmp_path, model, drawn):
    edited = yaml.safe_load(paths.LOGIC_MODEL.read_text(encoding="utf-8"))
    added = "Fewer exclusions from school, as an illustration of an edit made by a researcher"
    edited["pathways"]["C"]["outcomes"].append(added)
    copy = tmp_path / "edited.yml"
    copy.write_text(yaml.safe_dump(edited, sort_keys=False), encoding="utf-8")
    after = _elements(draw_logic_model(load_logic_model(copy)))
    assert ("element:outcomes:C", added) in after and ("element:outcomes:C", added) not in _elements(drawn)
    assert Counter(after) - Counter(_elements(drawn)) == Counter([("element:outcomes:C", added)])


def test_wrapping_keeps_every_word_within_the_width():
    text = "Parents feel more positive about children's social care and engage with services"
    lines = wrap_to_width(text, 1.5, 10.5)
    assert len(lines) > 1 and " ".join(lines) == text
    assert all(text_width(line, 10.5) <= 1.5 for line in lines)
    assert all(text_width(p, 10) <= 0.4 for p in wrap_to_width("Supercalifragilistic", 0.4, 10))


#: The book's column at a 1280 px window, in CSS pixels; a glued figure shows 100 CSS pixels per inch
#: (swis.book.myst.FIGURE_DPI, halved).
COLUMN_PX = 690


def test_text_is_at_least_9_pt_when_shown_in_the_column(drawn):
    shown = min(1.0, COLUMN_PX / (drawn.get_figwidth() * 100))
    smallest = min(t.get_fontsize() for t in drawn.axes[0].texts)
    assert smallest * 100 / 72 * shown >= 9 * 96 / 72  # CSS pixels of the smallest text against 9 pt
