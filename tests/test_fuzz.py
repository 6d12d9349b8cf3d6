"""Generated bad input (Hypothesis): malformed panels, configs and administrative files, made from valid ones.

Each example takes a valid file and breaks it one to three ways (cells blanked, values of another type, numbers
out of range, columns dropped, duplicated or renamed, rows duplicated or cut short, the text truncated or in
another encoding), then runs ``swis validate``, ``swis did`` or ``swis match`` on it. Whatever the breakage,
the command must end with exit 0 and a valid result, or exit 2 with ``error:`` lines that each name the file at
fault; never a traceback, an internal error (exit 1), or a changed input.

By default (``HYPOTHESIS_PROFILE=ci``) every test runs a small, fixed set of examples (derandomized: the same in
every run, no example database), so the file takes well under a minute. For a longer search::

    HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest tests/test_fuzz.py

runs 500 random examples per test and keeps failures in ``.hypothesis/`` to replay them first next time.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

import pandas as pd
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from swis import paths
from swis.cli import app
from swis.config import load_config
from swis.data.synthetic import synthetic_authority

_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("ci", max_examples=20, derandomize=True, database=None, deadline=None,
                          suppress_health_check=_SLOW)  # fmt: skip
settings.register_profile("thorough", max_examples=500, deadline=None, suppress_health_check=_SLOW)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

runner = CliRunner()

# ---------------------------------------------------------------- the valid files everything starts from
TERMS = ("Autumn 2017", "Autumn 2018", "Autumn 2019")
COUNTS = {"A_INT": [8, 9, 4], "B_INT": [6, 7, 3], "C_COMP": [7, 8, 8], "D_COMP": [5, 6, 7]}
PANEL = "authority,outcome,school,group,term,count,pupils,printed_rate\n" + "".join(
    f"Toyton,s47,{s},{'intervention' if s.endswith('INT') else 'control'},{t},{c},500,\n"
    for s, counts in COUNTS.items()
    for t, c in zip(TERMS, counts, strict=True)
)
CONFIG = {
    "authority": "Toyton",
    "code": "TOY",
    "terms": list(TERMS),
    "reference_term": "Autumn 2018",
    "intervention_terms": ["Autumn 2019"],
    "outcomes": {"s47": {"label": "Section 47 starts", "unit": "per 100 pupils", "scale": 100}},
}
STOCKPORT = paths.config_path("Stockport")
ADMIN = synthetic_authority(load_config(STOCKPORT), seed=1, n_candidates=3).to_csv(index=False)

# ---------------------------------------------------------------- ways of breaking a CSV file
ODD = st.one_of(
    st.sampled_from(["", " ", "x", "1.5", "-1", "0", "1e309", "nan", "inf", "-0", "9" * 40, "TRUE", "NULL"]),
    st.sampled_from(["2019-09-01", " 7 ", "½", "１２", '"', "'", "=1+1", "Autumn 2019", "intervention", "s47"]),
    st.integers(-(10**15), 10**15).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=6),
)


def _cell(draw, rows):
    r = draw(st.integers(0, len(rows) - 1))
    return r, draw(st.integers(0, max(0, len(rows[r]) - 1)))


def _column(draw, rows) -> int:
    return draw(st.integers(0, max(0, len(rows[0]) - 1)))


def blank_cell(draw, rows):
    r, c = _cell(draw, rows)
    if rows[r]:
        rows[r][c] = ""
    return rows


def odd_value(draw, rows):  # another type, an out-of-range number, or text that breaks the CSV itself
    r, c = _cell(draw, rows)
    if rows[r]:
        rows[r][c] = draw(ODD)
    return rows


def drop_column(draw, rows):
    c = _column(draw, rows)
    return [row[:c] + row[c + 1 :] for row in rows]


def duplicate_column(draw, rows):
    c = _column(draw, rows)
    return [row + row[c : c + 1] for row in rows]


def swap_columns(draw, rows):  # the header stays: every value lands under the other column's name
    a, b = _column(draw, rows), _column(draw, rows)
    out = [rows[0]]
    for row in rows[1:]:
        row = list(row)
        if max(a, b) < len(row):
            row[a], row[b] = row[b], row[a]
        out.append(row)
    return out


def truncate_rows(draw, rows):
    keep = draw(st.integers(1, len(rows)))
    rows = rows[:keep]
    rows[-1] = rows[-1][: draw(st.integers(0, len(rows[-1])))]  # the last row cut short
    return rows


def duplicate_row(draw, rows):
    r = draw(st.integers(1, len(rows) - 1)) if len(rows) > 1 else 0
    return [*rows, list(rows[r])]


CSV_EDITS = [blank_cell, odd_value, drop_column, duplicate_column, swap_columns, truncate_rows, duplicate_row]
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-32"]


def encoded(draw, text: str) -> bytes:
    """The text in one of several encodings (often with a non-ASCII letter), possibly cut at any byte."""
    if draw(st.booleans()):
        text = text.replace("A_INT", "Å_INT", 1)
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.integers(0, 4)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.integers(0, 6)) == 0:
        data = data.replace(b"\n", b"\r\n")
    return data


@st.composite
def broken_csv(draw, valid: str) -> bytes:
    rows = [line.split(",") for line in valid.splitlines()]
    for edit in draw(st.lists(st.sampled_from(CSV_EDITS), min_size=1, max_size=3)):
        rows = edit(draw, rows) or [[""]]
    return encoded(draw, "\n".join(",".join(row) for row in rows) + "\n")


# ---------------------------------------------------------------- ways of breaking a YAML config
YAML_ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.sampled_from(["Autumn 2019", "Spring 2018", "s47", "TOY"]),
)


def _keys(config: dict) -> list[tuple[str, ...]]:
    out = []
    for key, value in config.items():
        out.append((key,))
        if isinstance(value, dict):
            out += [(key, *sub) for sub in _keys(value)]
    return out


@st.composite
def broken_config(draw, valid: dict) -> bytes:
    config = yaml.safe_load(yaml.safe_dump(valid))
    for _ in range(draw(st.integers(1, 3))):
        keys = _keys(config)
        if not keys:
            break
        where = draw(st.sampled_from(keys))
        parent = config
        for key in where[:-1]:
            parent = parent[key]
        if draw(st.booleans()):
            del parent[where[-1]]
        else:
            parent[where[-1]] = draw(YAML_ODD)
    text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    if draw(st.integers(0, 5)) == 0:
        text += f"{draw(st.sampled_from(sorted(valid)))}: {draw(st.sampled_from(['x', '1', '[a]']))}\n"  # twice
    return encoded(draw, text)


# ---------------------------------------------------------------- running a command and judging its outcome
def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(args: list[str], inputs: list[Path]):
    """Run ``swis`` in-process; check no input changed; return the result."""
    before = {p: digest(p) for p in inputs}
    result = runner.invoke(app, [str(a) for a in args])
    assert {p: digest(p) for p in inputs} == before, "an input file was changed"
    return result


def judged(result, inputs: list[Path]) -> str:
    """Exit 0 with output, or exit 2 with error lines each naming an input file; never a traceback. Returns
    the standard output when the command succeeded."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 2), output
    if result.exit_code == 0:
        return result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith(("error: ", "warning: ")) for line in lines), output
    named = tuple(f"error: {p}:" for p in inputs)
    errors = [line for line in lines if line.startswith("error: ") and "more problem(s)" not in line]
    assert errors and all(line.startswith(named) for line in errors), output
    return ""


def table(stdout: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(stdout))


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


# ---------------------------------------------------------------- the properties
@PROFILE
@given(panel=broken_csv(PANEL))
def test_validate_a_broken_panel(panel):
    with tempfile.TemporaryDirectory() as tmp:
        panel_csv, config = write(Path(tmp), "panel.csv", panel), write(Path(tmp), "toy.yml", yaml.safe_dump(CONFIG))
        out = judged(run(["validate", panel_csv, "--config", config], [panel_csv, config]), [panel_csv, config])
        assert out == "" or out.startswith(f"ok: {panel_csv}: ")


@PROFILE
@given(config=broken_config(CONFIG))
def test_validate_with_a_broken_config(config):
    with tempfile.TemporaryDirectory() as tmp:
        panel_csv, config_yml = write(Path(tmp), "panel.csv", PANEL), write(Path(tmp), "toy.yml", config)
        inputs = [panel_csv, config_yml]
        out = judged(run(["validate", panel_csv, "--config", config_yml], inputs), inputs)
        assert out == "" or out.startswith(f"ok: {panel_csv}: ")


@PROFILE
@given(panel=broken_csv(PANEL))
def test_did_on_a_broken_panel(panel):
    with tempfile.TemporaryDirectory() as tmp:
        panel_csv, config = write(Path(tmp), "panel.csv", panel), write(Path(tmp), "toy.yml", yaml.safe_dump(CONFIG))
        out = judged(run(["did", panel_csv, "--config", config], [panel_csv, config]), [panel_csv, config])
        if out:
            result = table(out)
            assert len(result) > 0 and {"coefficient", "estimate", "se", "estimable"} <= set(result.columns)


@PROFILE
@given(admin=broken_csv(ADMIN))
def test_match_on_a_broken_admin_file(admin):
    with tempfile.TemporaryDirectory() as tmp:
        admin_csv = write(Path(tmp), "admin.csv", admin)
        out = judged(run(["match", admin_csv, "--config", STOCKPORT], [admin_csv, STOCKPORT]), [admin_csv, STOCKPORT])
        if out:
            assert {"intervention_school", "candidate", "selected"} <= set(table(out).columns)


@PROFILE
@given(config=broken_config(yaml.safe_load(STOCKPORT.read_text(encoding="utf-8"))))
def test_match_with_a_broken_config(config):
    with tempfile.TemporaryDirectory() as tmp:
        admin_csv, config_yml = write(Path(tmp), "admin.csv", ADMIN), write(Path(tmp), "sto.yml", config)
        inputs = [admin_csv, config_yml]
        out = judged(run(["match", admin_csv, "--config", config_yml], inputs), inputs)
        if out:
            assert {"intervention_school", "candidate", "selected"} <= set(table(out).columns)


def test_the_valid_files_pass():  # so that every failure above comes from the breakage
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        panel_csv, config = write(folder, "panel.csv", PANEL), write(folder, "toy.yml", yaml.safe_dump(CONFIG))
        admin_csv = write(folder, "admin.csv", ADMIN)
        for args in (["validate", panel_csv, "--config", config], ["did", panel_csv, "--config", config]):
            result = run(args, [panel_csv, config])
            assert result.exit_code == 0, result.output
        result = run(["match", admin_csv, "--config", STOCKPORT], [admin_csv])
        assert result.exit_code == 0 and "selected" in result.stdout
