"""The logic model: loads, draws every element, no overlapping boxes, clear errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests draw off screen

import pytest  # noqa: E402
import yaml  # noqa: E402

from swis import paths  # noqa: E402
from swis.errors import InputError  # noqa: E402
from swis.logic_model import draw_logic_model, load_logic_model, logic_model_table  # noqa: E402


def _texts(fig) -> str:
    return "\n".join(t.get_text() for t in fig.texts).replace("\n  ", " ").replace("\n", " ")


def test_every_element_is_drawn():
    model = load_logic_model(paths.LOGIC_MODEL)
    text = _texts(draw_logic_model(model))
    for element in logic_model_table(model)["Element"]:
        assert " ".join(element.split()) in " ".join(text.split()), element


def test_boxes_do_not_overlap():
    fig = draw_logic_model(load_logic_model(paths.LOGIC_MODEL))
    fig.canvas.draw()
    boxes = [p.get_window_extent() for p in fig.patches if type(p).__name__ == "FancyBboxPatch"]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)
            overlap_y = min(a.y1, b.y1) - max(a.y0, b.y0)
            assert overlap_x <= 1 or overlap_y <= 1  # touching by a pixel of padding is allowed
        assert a.y0 >= 0 and a.x1 <= fig.bbox.x1 + 1  # nothing drawn off the page


def test_editing_the_yaml_changes_the_figure(tmp_path):
    model = yaml.safe_load(paths.LOGIC_MODEL.read_text())
    model["pathways"]["C"]["outcomes"].append("Fewer exclusions from school")
    edited = tmp_path / "lm.yml"
    edited.write_text(yaml.safe_dump(model))
    assert "Fewer exclusions from school" in _texts(draw_logic_model(load_logic_model(edited)))


def test_missing_pathways_names_file_line_and_key(tmp_path):
    bad = tmp_path / "lm.yml"
    bad.write_text("assumptions: [a]\nprerequisites: [b]\nfinal_outcome: [c]\n")
    with pytest.raises(InputError) as info:
        load_logic_model(bad)
    (p,) = info.value.problems
    assert (p.file, p.column) == (str(bad), "pathways") and "expected" in p.message


def test_ill_typed_list_reports_its_line(tmp_path):
    text = paths.LOGIC_MODEL.read_text().replace("final_outcome:\n  - Improved", "final_outcome: 3\n  # - Improved")
    bad = tmp_path / "lm.yml"
    bad.write_text(text.split("  - Fewer children in care")[0])
    with pytest.raises(InputError) as info:
        load_logic_model(bad)
    p = info.value.problems[0]
    assert p.column == "final_outcome" and p.row == text.splitlines().index("final_outcome: 3") + 1
