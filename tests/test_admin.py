"""The admin file for matching: every kind of bad input is reported by file, line and column."""

from __future__ import annotations

import pandas as pd
import pytest

from swis import paths
from swis.config import load_config, parse_config
from swis.data.admin import ADMIN_COLUMNS, load_admin
from swis.data.synthetic import make_admin, synthetic_authority
from swis.errors import InputError

CFG = load_config(paths.config_path("Stockport"))


def frame(n_candidates: int = 3, seed: int = 1) -> pd.DataFrame:
    """A small valid admin table, every cell text (as read from a CSV)."""
    return synthetic_authority(CFG, seed=seed, n_candidates=n_candidates).astype(str)


def write(tmp_path, data: pd.DataFrame):
    path = tmp_path / "admin.csv"
    data.to_csv(path, index=False)
    return path


def problems(tmp_path, data: pd.DataFrame, config=CFG):
    with pytest.raises(InputError) as info:
        load_admin(write(tmp_path, data), config)
    return info.value.problems


def test_valid_file_loads_with_numbers_and_lines(tmp_path):
    data = frame()
    loaded = load_admin(write(tmp_path, data), CFG)
    assert len(loaded) == len(data) and loaded["line"].tolist()[:2] == [2, 3]
    assert loaded["count"].dtype.kind in "if" and loaded["pupils"].dtype.kind in "if"
    assert "synthetic" in loaded.columns  # extra columns are kept


def test_missing_column(tmp_path):
    (p,) = problems(tmp_path, frame().drop(columns="year_group"))
    assert (p.row, p.column) == (1, "year_group") and "missing column" in p.message


@pytest.mark.parametrize(
    "column,value,message",
    [
        ("count", "many", "count: expected a whole number from 0 to 100,000,000, got 'many'"),
        ("count", "-1", "count: expected a whole number from 0 to 100,000,000, got '-1'"),
        ("count", "", "count: expected a whole number from 0 to 100,000,000, got an empty cell"),
        ("pupils", "0", "pupils: expected a whole number of pupils from 1 to 10,000, got '0'"),
        ("pupils", "-30", "pupils: expected a whole number of pupils from 1 to 10,000, got '-30'"),
        ("pupils", "n/a", "pupils: expected a whole number of pupils from 1 to 10,000, got 'n/a'"),
        ("group", "control", "group: unknown group; expected 'intervention' or 'candidate', got 'control'"),
        ("outcome", "s99", "outcome: unknown outcome; expected one of s17, s47, days_in_care, got 's99'"),
        ("term", "Spring 2018", "term: unknown term; expected one of the config's autumn_terms or terms"),
        ("year_group", "Yr 7", "year_group: expected a school year: 'Reception', 'Year 1' ... 'Year 14' or 'Nursery'"),
    ],
)
def test_bad_cells_name_line_and_column(tmp_path, column, value, message):
    data = frame()
    data.loc[4, column] = value
    (p,) = [p for p in problems(tmp_path, data) if p.column == column]
    assert str(p).startswith(f"error: {tmp_path / 'admin.csv'}:6: ") and message in str(p)


def test_several_bad_cells_are_all_reported_in_line_order(tmp_path):
    data = frame()
    data.loc[10, "count"] = "x"
    data.loc[2, "pupils"] = "0"
    found = problems(tmp_path, data)
    assert [(p.row, p.column) for p in found] == [(4, "pupils"), (12, "count")]


def test_duplicate_rows_name_the_first_line(tmp_path):
    data = frame()
    data = pd.concat([data, data.iloc[[5]]], ignore_index=True)
    (p,) = problems(tmp_path, data)
    assert p.row == len(data) + 1 and "duplicate row" in p.message and "line 7" in p.message


def test_school_in_two_groups(tmp_path):
    data = frame()
    school = data.loc[0, "school"]
    where = data.index[data["school"] == school][3]
    data.loc[where, "group"] = "intervention" if data.loc[0, "group"] == "candidate" else "candidate"
    (p,) = problems(tmp_path, data)
    assert (p.row, p.column) == (where + 2, "group") and "one group" in p.message


def test_fewer_than_three_autumn_terms_in_the_data(tmp_path):
    data = frame()
    (p,) = problems(tmp_path, data[data["term"] != "Autumn 2016"])
    assert (p.row, p.column) == (0, "term") and "Autumn 2016" in p.message and "three" in p.message


def test_fewer_than_three_autumn_terms_in_the_config(tmp_path):
    text = paths.config_path("Stockport").read_text().replace("  - Autumn 2016\n", "")
    config = parse_config(text, "two_autumns.yml")
    (p,) = problems(tmp_path, frame(), config)
    assert p.file == "two_autumns.yml" and p.column == "autumn_terms" and p.row == config.line_of("autumn_terms")
    assert "at least three" in p.message


def test_an_outcome_without_candidates(tmp_path):
    data = frame()
    data = data[~((data["outcome"] == "s47") & (data["group"] == "candidate"))]
    (p,) = problems(tmp_path, data)
    assert (p.row, p.column) == (0, "group") and "outcome s47: no candidate school" in p.message


def test_no_intervention_school(tmp_path):
    data = make_admin(1, 4, CFG).astype(str)
    found = problems(tmp_path, data)
    assert {p.message for p in found} == {
        f"outcome {o}: no intervention school; expected at least one" for o in CFG.outcomes
    }


def test_empty_and_unreadable_files(tmp_path):
    path = tmp_path / "admin.csv"
    path.write_text(",".join(ADMIN_COLUMNS) + "\n")
    with pytest.raises(InputError, match="no data rows"):
        load_admin(path, CFG)
    with pytest.raises(InputError, match="file not found"):
        load_admin(tmp_path / "nowhere.csv", CFG)


def test_whitespace_around_cells_is_ignored(tmp_path):
    data = frame()
    data.loc[0, "count"] = " 3 "
    data.loc[0, "group"] = data.loc[0, "group"] + " "
    assert load_admin(write(tmp_path, data), CFG).loc[0, "count"] == 3
