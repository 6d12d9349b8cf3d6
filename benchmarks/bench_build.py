"""Benchmark: how long the book takes to rebuild, cold and after typical changes.

In a scratch copy of the repository (its tracked files; dependencies already installed), timed with the
wall clock, each case ``--repeat`` times (median, min and max printed):

- cold: ``swis build`` with no cache and no previous book;
- forced: ``swis build --force`` (every notebook re-executed, incremental render);
- no-op: ``swis build`` with nothing changed;
- prose: after editing one prose page;
- panel: after changing one count of one authority (Southampton, the issue's example: its first count, of
  Section 17) in the report's panel (``data/panels/swis_panel.csv``: a notebook records the rows it loads, so
  this re-executes Southampton's page, the audit and sensitivity chapters, which read every authority's rows,
  and the synthesis);
- panel-s47: the same for Southampton's first Section 47 count, which the planning chapter (the longest run)
  calibrates on as well;
- run: ``swis run <authority>`` with nothing changed;
- pdf: ``swis build --pdf`` with nothing changed (prints the PDF edition of the built pages: what
  ``make book`` adds to ``swis build``);

and the ratio of each to the forced build of the same run.

Run: ``.venv/bin/python benchmarks/bench_build.py [--repeat 3]``. It is a benchmark, not a timed test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from swis import paths

SWIS = str(Path(sys.executable).with_name("swis"))


def copy_repository(root: Path) -> None:
    """The tracked files of the repository, as a fresh clone has them."""
    listed = subprocess.run(["git", "ls-files"], cwd=paths.ROOT, capture_output=True, text=True, check=True)
    for rel in listed.stdout.splitlines():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(paths.ROOT / rel, root / rel)


def timed(root: Path, *args: str) -> float:
    env = {**os.environ, "SWIS_ROOT": str(root)}
    start = time.perf_counter()
    subprocess.run([SWIS, *args], cwd=root, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def edit_prose(root: Path, k: int) -> None:
    page = root / "book/part1/discussion.md"
    page.write_text(page.read_text() + f"\n<!-- benchmark edit {k} -->\n")


def edit_panel(root: Path, k: int, authority: str = "Southampton", outcome: str = "") -> None:
    """Change the first count of ``authority`` (of ``outcome``, when given), alternately up and down, so rates
    stay plausible."""
    panel = root / "data/panels/swis_panel.csv"
    lines = panel.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{authority},{outcome}"))
    cells = lines[at].split(",")
    cells[5] = str(int(cells[5]) + (1 if k % 2 == 0 else -1))
    lines[at] = ",".join(cells)
    panel.write_text("".join(lines))


#: The issue's targets (seconds), for the table printed at the end.
TARGETS = {"cold": 30, "panel": 12, "panel-s47": 12, "no-op": 3, "prose": 5}
CASES = {
    "cold": "cold build (no cache, no book)",
    "forced": "`swis build --force`",
    "no-op": "nothing changed",
    "prose": "one prose page edited",
    "panel": "one count of the report's panel changed (Southampton's first, Section 17)",
    "panel-s47": "one Section 47 count changed (Southampton's first: the planning chapter too)",
    "run": "`swis run {authority}`, nothing changed",
    "pdf": "`swis build --pdf`, nothing changed (the PDF edition)",
}


def markdown(times: dict[str, list[float]], authority: str) -> str:
    """The README's table: median, min-max, ratio to the forced build, target."""
    forced = statistics.median(times["forced"])
    rows = ["| Case | Median s | Min-max s | Ratio to `--force` | Target s |", "| --- | --- | --- | --- | --- |"]
    for case, values in times.items():
        med = statistics.median(values)
        target = TARGETS.get(case)
        verdict = "" if target is None else f"{target}: {'met' if med < target else '**not met**'}"
        rows.append(
            f"| {CASES[case].format(authority=authority)} | {med:.1f} | {min(values):.1f}-{max(values):.1f} | "
            f"{med / forced:.2f} | {verdict} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--authority", default="Lambeth", help="the authority of the `swis run` case")
    args = parser.parse_args()
    times: dict[str, list[float]] = {k: [] for k in CASES}
    for k in range(args.repeat):
        root = Path(tempfile.mkdtemp(prefix="swis-bench-"))
        try:
            copy_repository(root)
            times["cold"].append(timed(root, "build", "--quiet"))
            times["forced"].append(timed(root, "build", "--quiet", "--force"))
            times["no-op"].append(timed(root, "build", "--quiet"))
            edit_prose(root, k)
            times["prose"].append(timed(root, "build", "--quiet"))
            edit_panel(root, k)
            times["panel"].append(timed(root, "build", "--quiet"))
            edit_panel(root, k, outcome="s47")
            times["panel-s47"].append(timed(root, "build", "--quiet"))
            times["run"].append(timed(root, "run", args.authority, "--quiet"))
            times["pdf"].append(timed(root, "build", "--quiet", "--pdf"))
        finally:
            shutil.rmtree(root, ignore_errors=True)
    forced = statistics.median(times["forced"])
    print(f"build times over {args.repeat} repeat(s), each in a fresh copy (seconds; ratio to the forced build)")
    for case, values in times.items():
        med = statistics.median(values)
        print(
            f"  {case:7} median {med:6.1f}  min {min(values):6.1f}  max {max(values):6.1f}  ratio {med / forced:5.2f}"
        )
    print("\n" + markdown(times, args.authority))


if __name__ == "__main__":
    main()
