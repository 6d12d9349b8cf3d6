"""Disclosure control by provenance: decided by the panel's content, never its path; secondary suppression."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from swis import paths
from swis.book.pages.authority import AuthorityPage
from swis.data.disclosure import (
    FINGERPRINTS,
    LOCAL_THRESHOLD,
    fingerprint,
    published_fingerprints,
    resolve_threshold,
    suppress_counts,
)
from swis.data.panel import load_panel


def test_recorded_fingerprints_are_those_of_the_shipped_panel(configs):
    # data/panels/published_fingerprints.csv was computed from data/panels/swis_panel.csv as printed in the report
    recorded = published_fingerprints()
    assert set(recorded) == set(configs)
    for authority, cfg in configs.items():
        assert fingerprint(load_panel(paths.PANEL, cfg).data) == recorded[authority], FINGERPRINTS


def test_published_panel_copied_elsewhere_is_not_suppressed(tmp_path, configs):
    copy = tmp_path / "elsewhere" / "my_copy.csv"
    copy.parent.mkdir()
    shutil.copy(paths.PANEL, copy)
    assert resolve_threshold(load_panel(copy, configs["Southampton"])) == 0


def test_published_rows_reordered_with_windows_line_endings_are_still_published(tmp_path, configs):
    frame = pd.read_csv(paths.PANEL, dtype=str, keep_default_na=False).iloc[::-1]
    copy = tmp_path / "shuffled.csv"
    copy.write_bytes(frame.to_csv(index=False).replace("\n", "\r\n").encode("utf-8"))
    assert resolve_threshold(load_panel(copy, configs["Stockport"])) == 0


def edited_panel_at_default_path(tmp_path):
    """A local panel at data/panels/swis_panel.csv (of another root): the published rows with one count changed."""
    frame = pd.read_csv(paths.PANEL, dtype=str, keep_default_na=False)
    row = frame.index[(frame["authority"] == "Stockport") & (frame["outcome"] == "s17")][0]
    frame.loc[row, "count"] = str(int(frame.loc[row, "count"]) + 1)
    frame.loc[row, "printed_rate"] = ""
    local = tmp_path / "data" / "panels" / "swis_panel.csv"
    local.parent.mkdir(parents=True)
    frame.to_csv(local, index=False)
    return local


def test_local_panel_at_the_default_path_is_suppressed(tmp_path, configs):
    local = edited_panel_at_default_path(tmp_path)
    assert local.relative_to(tmp_path) == paths.PANEL.relative_to(paths.ROOT)  # same path, other content
    assert resolve_threshold(load_panel(local, configs["Stockport"])) == LOCAL_THRESHOLD


@pytest.fixture(scope="module")
def local_page(tmp_path_factory):
    local = edited_panel_at_default_path(tmp_path_factory.mktemp("local"))
    return AuthorityPage.from_parameters("Stockport", str(local), outcomes=["s17", "s47"])


def test_local_page_hides_small_counts_says_so_and_still_fits_the_full_data(local_page, tmp_path):
    assert local_page.suppress_below == LOCAL_THRESHOLD
    table = local_page.panel_table("s47")  # the MyST table as the book shows it
    text = str(table.data if hasattr(table, "data") else table)
    shown = local_page.panel.outcome("s47")
    small = shown[(shown["count"] >= 1) & (shown["count"] < LOCAL_THRESHOLD)]
    assert len(small) > 0 and "<10" in text and "Local data: counts from 1 to 9 are hidden" in text
    # the model is fitted to every count, suppressed or not: the same estimates as with no suppression
    full = AuthorityPage.from_parameters(
        "Stockport", str(local_page.panel.file), outcomes=["s47"], suppress_below=0
    ).results["s47"]
    assert_allclose(local_page.results["s47"].table["irr"], full.table["irr"], rtol=0, atol=0, equal_nan=True)


def test_secondary_suppression_leaves_no_group_with_one_hidden_cell():
    rows = pd.DataFrame(
        {
            "outcome": ["s17"] * 6,
            "term": ["T1", "T1", "T1", "T2", "T2", "T2"],
            "group": ["intervention"] * 6,
            "count": [3, 25, 40, 30, 20, 0],
            "rate": [0.1] * 6,
        }
    )
    out = suppress_counts(rows, 10)
    assert out["suppressed"].tolist() == ["primary", "secondary", "", "", "", ""]
    hidden = out.groupby(["term"])["count_shown"].apply(lambda s: int((s == "<10").sum()))
    assert set(hidden) <= {0, 2}  # a total of the term would reveal a single hidden cell
