"""Every bad input of ``cases.py``: the exit status, one clear message, no traceback, nothing on disk changed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from cases import CASES, CONFIG, Case, panel
from typer.testing import CliRunner

from swis import paths
from swis.cli import app

runner = CliRunner()


def snapshot(*roots: Path) -> dict[str, tuple]:
    """Every file and folder under ``roots``: kind, size, content hash (small files) and mode."""
    out = {}
    for root in roots:
        if not root.exists():
            continue
        for path in [root, *root.rglob("*")]:
            st = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and st.st_size < 2**22 else ""
            out[str(path)] = (path.is_dir(), st.st_size, st.st_mtime_ns, st.st_mode, digest)
    return out


def watched(folder: Path) -> tuple[Path, ...]:
    """The case's folder and the project's inputs and outputs."""
    return (folder, paths.DATA, paths.GENERATED, paths.RESULTS, paths.BUILD / "html" / "index.html")


def write_files(folder: Path, files: dict) -> None:
    for name, content in files.items():
        target = folder / name
        if content is None:
            target.mkdir()
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")


def test_there_are_at_least_sixty_cases_with_unique_ids():
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, monkeypatch):
    folder = tmp_path / "case"
    folder.mkdir()
    write_files(folder, case.files)
    monkeypatch.chdir(folder)
    before = snapshot(*watched(folder))
    staging_before = sorted(paths.BOOK.glob("generated.*")) + sorted(paths.ROOT.glob("_build.*"))
    result = runner.invoke(app, [a.replace("{d}", str(folder)) for a in case.args])
    output = result.stdout + result.stderr
    assert result.exit_code == case.status, output
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    assert "Traceback" not in output
    assert case.fragment in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith(("error: ", "warning: ")) for line in lines), lines
    assert snapshot(*watched(folder)) == before  # nothing written, nothing changed, no temporary file left
    for name in case.absent:
        assert not (folder / name).exists()
    assert sorted(paths.BOOK.glob("generated.*")) + sorted(paths.ROOT.glob("_build.*")) == staging_before


def test_bom_and_windows_line_endings_are_read(tmp_path):
    text = panel().replace("\n", "\r\n")
    plain, windows = tmp_path / "plain.csv", tmp_path / "windows.csv"
    plain.write_text(panel(), encoding="utf-8")
    windows.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    config = tmp_path / "toy.yml"
    config.write_bytes(b"\xef\xbb\xbf" + CONFIG.replace("\n", "\r\n").encode("utf-8"))
    out = {}
    for path in (plain, windows):
        result = runner.invoke(app, ["did", str(path), "--config", str(config)])
        assert result.exit_code == 0, result.stderr
        out[path.name] = result.stdout
    assert out["plain.csv"] == out["windows.csv"]


def test_relative_run_paths_are_resolved_against_the_current_directory(tmp_path, monkeypatch):
    (tmp_path / "mine.csv").write_text(panel((0, "count", "x")), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "Southampton", "--no-render", "--param", "panel_path=mine.csv"])
    assert result.exit_code == 2
    assert f"{tmp_path / 'mine.csv'}:" in result.stderr  # not <repository>/mine.csv, which does not exist


def test_outputs_have_normal_permissions(tmp_path, monkeypatch):
    (tmp_path / "panel.csv").write_text(panel(), encoding="utf-8")
    (tmp_path / "toy.yml").write_text(CONFIG, encoding="utf-8")
    old = os.umask(0o022)
    try:
        out = tmp_path / "res.csv"
        result = runner.invoke(
            app, ["did", str(tmp_path / "panel.csv"), "--config", str(tmp_path / "toy.yml"), "--out", str(out)]
        )
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_mode & 0o777 == 0o644


def test_an_internal_error_is_reported_with_a_log_file(monkeypatch, tmp_path):
    import swis.estimation.did as did

    def broken(*args, **kwargs):
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(did, "estimate_panel", broken)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    (tmp_path / "panel.csv").write_text(panel(), encoding="utf-8")
    (tmp_path / "toy.yml").write_text(CONFIG, encoding="utf-8")
    out = tmp_path / "res.csv"
    result = runner.invoke(
        app, ["did", str(tmp_path / "panel.csv"), "--config", str(tmp_path / "toy.yml"), "--out", str(out)]
    )
    assert result.exit_code == 1 and not out.exists()
    assert result.stderr.startswith("internal error: ZeroDivisionError") and "Traceback" not in result.stderr
    (log,) = tmp_path.glob("swis-error-*.log")
    assert "simulated bug" in log.read_text() and str(log) in result.stderr
