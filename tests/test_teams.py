"""The team diagrams: the data files load and agree with the report's tables, every note is drawn once and
legibly, bad files are refused clearly, and each chapter shows its diagram."""

from __future__ import annotations

import re
from collections import Counter

import matplotlib

matplotlib.use("Agg")  # tests draw off screen

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from swis import paths  # noqa: E402
from swis.book.pages.logic_model import LogicModelPage  # noqa: E402
from swis.data.teams import load_team, load_teams  # noqa: E402
from swis.errors import InputError  # noqa: E402
from swis.report.figures.team import draw_team, school_lines  # noqa: E402

AUTHORITIES = {"southampton": "Southampton", "lambeth": "Lambeth"}
#: The book's column at a 1280 px window, in CSS pixels.
COLUMN_PX = 690


@pytest.fixture(scope="module")
def teams():
    return load_teams(paths.TEAMS_DIR)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_each_pilot_with_a_team_figure_has_a_file_citing_it(teams):
    assert set(teams) == set(AUTHORITIES)
    for name, team in teams.items():
        assert f"Part Two, {AUTHORITIES[name]}, Figure 1" in team["figure"]
        assert any("Table 2" in passage for passage in team["drawn_from"])
        assert team["team"] and team["schools"]


def test_schools_agree_with_the_reports_configuration_tables(teams):
    sou = pd.read_csv(paths.CONTEXT / "southampton_configuration.csv", keep_default_na=False)
    expected = {r.school_group: None if r.social_workers == "N/A" else int(r.social_workers) for r in sou.itertuples()}
    assert {s["name"]: s["social_workers"] for s in teams["southampton"]["schools"]} == expected
    lam = pd.read_csv(paths.CONTEXT / "lambeth_configuration.csv")
    shown = {s["name"]: s for s in teams["lambeth"]["schools"]}
    assert list(shown) == list(lam["school"])
    for row in lam.itertuples():
        school = shown[row.school]
        assert school["social_workers"] == row.social_workers_during_pilot
        days = f"{row.days_per_week} day{'' if row.days_per_week == 1 else 's'} a week"
        assert days in school["notes"], row.school


@pytest.mark.parametrize("name", sorted(AUTHORITIES))
def test_every_role_school_and_note_is_drawn_once_inside_the_figure(teams, name):
    team = teams[name]
    fig = draw_team(team)
    fig.canvas.draw()
    texts = fig.axes[0].texts
    notes = [_flat(t.get_text()) for t in texts if (t.get_gid() or "").startswith("element:")]
    expected = [n for r in team["team"] for n in r["notes"]]
    expected += [n for s in team["schools"] for n in school_lines(s, team["social_workers_label"])]
    assert Counter(notes) == Counter(expected)
    headings = [_flat(t.get_text()) for t in texts if t.get_gid() == "heading"]
    assert Counter(headings) == Counter([r["role"] for r in team["team"]] + [s["name"] for s in team["schools"]])
    page = fig.bbox
    boxes = [p.get_window_extent() for p in fig.axes[0].patches if p.get_gid() == "box"]
    assert len(boxes) == len(team["team"]) + len(team["schools"])
    for i, a in enumerate(boxes):
        assert page.x0 <= a.x0 and a.x1 <= page.x1 and page.y0 <= a.y0 and a.y1 <= page.y1
        for b in boxes[i + 1 :]:
            assert min(a.x1, b.x1) - max(a.x0, b.x0) <= 0.5 or min(a.y1, b.y1) - max(a.y0, b.y0) <= 0.5
    for t in texts:
        e = t.get_window_extent()
        assert any(b.x0 < e.x0 and e.x1 < b.x1 and b.y0 < e.y0 and e.y1 < b.y1 for b in boxes), t.get_text()
    shown = min(1.0, COLUMN_PX / (fig.get_figwidth() * 100))
    assert min(t.get_fontsize() for t in texts) * 100 / 72 * shown >= 9 * 96 / 72  # at least 9 pt as shown


@pytest.mark.parametrize(
    ("edit", "where", "message"),
    [
        (lambda t: t.pop("figure"), "figure", "the report's figure"),
        (lambda t: t["schools"][1].update(social_workers=-1), "schools[1].social_workers", "whole number"),
        (lambda t: t["team"][0].update(notes="one note"), "team[0].notes", "a list of short statements"),
        (lambda t: t.pop("social_workers_label"), "social_workers_label", "what the schools' numbers count"),
    ],
)
def test_a_bad_file_names_its_line_key_and_what_was_expected(tmp_path, edit, where, message):
    import yaml

    team = yaml.safe_load((paths.TEAMS_DIR / "southampton.yml").read_text())
    edit(team)
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump(team, sort_keys=False))
    with pytest.raises(InputError) as caught:
        load_team(bad)
    (problem,) = caught.value.problems
    assert problem.column == where and message in problem.message and str(bad) == problem.file
    assert problem.row >= 1


def test_the_page_writes_each_diagram_where_its_chapter_finds_it(tmp_path):
    page = LogicModelPage.from_parameters("data/logic_model.yml", "data/teams", str(tmp_path))
    page.write_team_diagrams()
    for name in AUTHORITIES:
        png = tmp_path / f"team_{name}.png"
        chapter = (paths.BOOK / "part2" / f"{name}.md").read_text(encoding="utf-8")
        block = re.search(r"```\{figure\} \.\./generated/figures/team_" + name + r"\.png\n(.*?)```", chapter, re.S)
        assert block, f"book/part2/{name}.md shows no team diagram"
        width = int(re.search(r":width: (\d+)px", block.group(1)).group(1))
        assert Image.open(png).size[0] == 2 * width  # drawn at twice the size it is shown, as glued figures
        assert ":alt: Diagram of" in block.group(1) and f"data/teams/{name}.yml" in block.group(1)
        assert "swis-diagram" in block.group(1)


@pytest.mark.book
@pytest.mark.parametrize("name", sorted(AUTHORITIES))
def test_the_built_chapter_shows_its_team_diagram(built, name):
    from bs4 import BeautifulSoup

    html = (built["html"] / "book" / "part2" / f"{name}.html").read_text(encoding="utf-8")
    figure = BeautifulSoup(html, "html.parser").select_one(f"figure#fig-{name[:3]}-team")
    assert figure is not None
    img = figure.find("img")
    assert img["alt"].startswith("Diagram of") and (built["html"] / "book" / "part2" / img["src"]).is_file()
    assert "Figure 1" in figure.figcaption.get_text() and figure.select_one(".swis-full-size a")["href"]
