"""When runs start: which runs the synthesis waits for, and which start first (swis.book.build.schedule).

The cache is a temporary folder of entries written here as a build stores them; no notebook is executed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swis import paths
from swis.book.build import cache, schedule
from swis.book.build.plan import Run

STATIC = {"template": "t", "parameters": "{}", "swis": "s", "lock": "l"}


@pytest.fixture
def store(tmp_path, monkeypatch):
    """Write a run's entry into a temporary cache: the files it wrote and the files it read."""
    monkeypatch.setattr(cache, "CACHE", tmp_path)
    monkeypatch.setattr(cache, "static_key", lambda run: dict(STATIC))

    def write(name: str, wrote=(), read=(), static=STATIC, seconds=1.0) -> Run:
        folder = tmp_path / name
        (folder / "outputs").mkdir(parents=True)
        (folder / "notebook.ipynb").write_text("{}")
        for rel in wrote:
            (folder / "outputs" / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / "outputs" / rel).write_text(rel)
        generated = paths.relative(paths.GENERATED)
        entry = {
            "static": static,
            "reads": {f"{generated}/{rel}": "digest" for rel in read},
            "files": cache._files(folder),
            "seconds": seconds,
        }
        (folder / "entry.json").write_text(json.dumps(entry))
        return Run(Path("notebooks/x.ipynb"), name, {})

    return write


def test_the_synthesis_waits_for_the_runs_whose_outputs_it_read(store):
    store("authority_a", wrote=["results/a/estimates_s17.csv"])
    store("authority_b", wrote=["results/b/estimates_s17.csv"])
    store("planning", wrote=["results/planning/power.csv"])
    synthesis = store("synthesis", read=["results/a/estimates_s17.csv", "results/b/estimates_s17.csv"])
    executing = ["authority_a", "authority_b", "planning"]
    assert schedule.producers(synthesis, executing) == {"authority_a", "authority_b"}
    assert schedule.producers(synthesis, ["planning"]) == set()  # what it reads is already in place


def test_it_waits_for_all_when_its_last_reads_cannot_be_trusted(store):
    store("authority_a", wrote=["results/a/estimates_s17.csv"])
    changed = store("synthesis", read=["results/a/estimates_s17.csv"], static={**STATIC, "swis": "other"})
    assert schedule.producers(changed, ["authority_a", "planning"]) == {"authority_a", "planning"}  # code changed
    never = Run(Path("notebooks/x.ipynb"), "never_run", {})
    assert schedule.producers(never, ["authority_a"]) == {"authority_a"}  # no entry of its own
    synthesis = store("synthesis_2", read=["results/a/estimates_s17.csv"])
    assert schedule.producers(synthesis, ["authority_a", "new_run"]) == {"authority_a", "new_run"}  # no record


def test_the_runs_it_waits_for_count_its_time_too(store):
    runs = [store("planning", seconds=6.0), store("authority_a", seconds=4.0), store("audit", seconds=2.5)]
    store("synthesis", seconds=1.5)
    rank = schedule.priorities(runs, {"synthesis": {"authority_a"}})
    assert rank == {"planning": 6.0, "authority_a": 5.5, "audit": 2.5}


class _Pool:
    """A pool of the build's shape whose runs finish in the order they were handed over; nothing is executed."""

    def __init__(self, events: list, workers: int, progress: bool, zygote):
        self.events, self.running = events, {}

    def submit(self, run: Run, why: str, staging: Path) -> None:
        self.running[run.name] = (run, why)

    def next_done(self) -> dict:
        name = next(iter(self.running))
        self.running.pop(name)
        self.events.append(f"done {name}")
        return {"run": name, "action": "executed", "reason": "", "seconds": 0.0}

    def shutdown(self) -> None:
        pass


@pytest.mark.parametrize(("executing", "idle_after"), [(3, 2), (1, 0), (0, None)])
def test_the_renderer_is_started_once_when_every_run_is_under_way_and_a_worker_is_free(
    store, monkeypatch, executing, idle_after
):
    """With two workers: after the second of three runs is done, at once for one run, never for none."""
    events: list[str] = []
    runs = [store(name, seconds=3.0 - k) for k, name in enumerate(("a", "b", "c"))]
    monkeypatch.setattr(schedule, "Pool", lambda *args: _Pool(events, *args))
    monkeypatch.setattr(schedule, "_reuse_or", lambda run, *a: "changed" if run in runs[:executing] else None)
    schedule.run_all(runs, Path("staging"), False, False, 2, lambda: None, lambda: events.append("idle"))
    assert events.count("idle") == (idle_after is not None)
    if idle_after is not None:
        assert events.index("idle") == idle_after  # after that many runs were done
