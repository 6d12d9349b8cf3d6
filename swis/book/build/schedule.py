"""When each notebook run starts: all in one pool of workers, the longest first, and a run that reads other
runs' outputs (:data:`swis.book.build.plan.AFTER`, the synthesis) as soon as the runs it reads are done.

Which runs it reads comes from the cache: the files its last execution read (its stored entry), against the
files each other run wrote at its own last execution. That is trusted only while it can hold: when the run's
code and settings are those of its last execution (its static key is unchanged) and every run executing now
has a stored entry; otherwise it waits for all of them, as it always did. The runs it reads start first among
runs of equal length (their priority counts its time too), so that it can start while the others still run.

A run started early is checked again once every run is done (:func:`swis.book.build.cache.decide`): if what
it read has changed since, it is executed again, so the book is what waiting for all would have made.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from swis import paths
from swis.book.build import log as build_log
from swis.book.build.plan import AFTER, Run

#: A stored entry's outputs (under ``outputs/``) are files of ``book/generated``.
OUTPUTS = "outputs/"


def written(name: str) -> set[str] | None:
    """The files (as ``book/generated/...``) run ``name`` wrote at its last stored execution; None if unknown."""
    from swis.book.build import cache

    entry = cache.stored_entry(name)
    if entry is None:
        return None
    generated = paths.relative(paths.GENERATED) + "/"
    return {generated + f.removeprefix(OUTPUTS) for f in entry["files"] if f.startswith(OUTPUTS)}


def producers(run: Run, executing: list[str]) -> set[str]:
    """The runs among ``executing`` that ``run`` must wait for: those whose outputs it read at its last
    execution, or all of them when that cannot be trusted (see the module docstring)."""
    from swis.book.build import cache

    entry = cache.stored_entry(run.name)
    if entry is None or entry["static"] != cache.static_key(run):
        return set(executing)
    read = {cache.parse_key(key)[0] for key in entry["reads"]}
    found = set()
    for name in executing:
        outputs = written(name)
        if outputs is None:
            return set(executing)
        if outputs & read:
            found.add(name)
    return found


def priorities(todo: list[Run], waits: dict[str, set[str]]) -> dict[str, float]:
    """Each run's expected seconds, plus those of the runs that wait for it (a critical path of one step)."""
    from swis.book.build import cache
    from swis.book.build.plan import expected_seconds

    def seconds(name: str) -> float:
        return expected_seconds(name, cache.last_seconds(name))

    extra = {run.name: 0.0 for run in todo}
    for later, needed in waits.items():
        for name in needed & extra.keys():
            extra[name] = max(extra[name], seconds(later))
    return {run.name: seconds(run.name) + extra[run.name] for run in todo}


class Pool:
    """The build's workers, started at the first run to execute; each future knows its run and why it runs."""

    def __init__(self, workers: int, progress: bool, zygote):
        self.workers, self.progress, self.zygote = workers, progress, zygote
        self.executor: ProcessPoolExecutor | None = None
        self.running: dict[Future, tuple[Run, str]] = {}

    def submit(self, run: Run, why: str, staging: Path) -> None:
        from swis.book.build.execute import _execute_one, _worker

        if self.executor is None:
            self.executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=mp.get_context("spawn"),
                initializer=_worker,
                initargs=(str(build_log.LOG), self.progress, self.zygote()),
            )
        self.running[self.executor.submit(_execute_one, run, staging, self.progress)] = (run, why)
        print(f"  executing {run.name} ({why})", file=sys.stderr, flush=True)

    def next_done(self) -> dict:
        """Wait for a run to finish; its line of the build's report."""
        done, _ = wait(self.running, return_when=FIRST_COMPLETED)
        future = next(iter(done))
        run, why = self.running.pop(future)
        name, seconds = future.result()
        print(f"  done      {name} ({seconds:.1f} s)", file=sys.stderr, flush=True)
        return {"run": name, "action": "executed", "reason": why, "seconds": seconds}

    def shutdown(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)


def _reuse_or(run: Run, staging: Path, force: bool, report: list[dict]) -> str | None:
    """Restore ``run`` from the cache and add it to ``report``; or say why it must be executed."""
    from swis.book.build import cache

    decision = cache.decide(run, staging, force)
    if not decision.reuse:
        return decision.reason
    cache.restore(run, staging)
    report.append({"run": run.name, "action": "reused", "reason": decision.reason, "seconds": 0.0})
    print(f"  reused    {run.name} ({decision.reason})", file=sys.stderr, flush=True)
    return None


def run_all(
    runs: list[Run], staging: Path, force: bool, progress: bool, workers: int, zygote, on_idle=None
) -> list[dict]:
    """Reuse or execute every run into ``staging``, ``workers`` at a time; one line per run (reused or
    executed, why, how long). ``zygote`` starts the build's fork server and returns its address. ``on_idle``,
    if given, is called once, when every run has been handed to a worker and a worker is free (the build starts
    its renderer then: :mod:`swis.book.build.warm`)."""
    report: list[dict] = []
    later = [r for r in runs if r.name in AFTER]
    todo = [(r, why) for r in runs if r.name not in AFTER and (why := _reuse_or(r, staging, force, report))]
    waits = {r.name: producers(r, [run.name for run, _ in todo]) for r in later}
    rank = priorities([run for run, _ in todo], waits)
    bars = progress and workers == 1  # per-cell progress bars of parallel runs would overwrite each other
    pool, early, finished = Pool(max(1, min(workers, len(todo) + len(later))), bars, zygote), [], set()
    try:
        for run, why in sorted(todo, key=lambda item: -rank[item[0].name]):
            pool.submit(run, why, staging)
        while True:
            for run in [r for r in later if waits[r.name] <= finished]:
                later.remove(run)
                early += [run] if pool.running else []
                why = _reuse_or(run, staging, force, report)
                if why:
                    pool.submit(run, why, staging)
            if not pool.running:
                break
            if on_idle is not None and not later and len(pool.running) < workers:
                on_idle, idle = None, on_idle
                idle()
            report.append(pool.next_done())
            finished.add(report[-1]["run"])
        report += _checked_again(early, staging, pool)
    finally:
        pool.shutdown()
    return report


def _checked_again(early: list[Run], staging: Path, pool: Pool) -> list[dict]:
    """Execute again each run started before every run was done whose inputs have changed since."""
    from swis.book.build import cache

    for run in early:
        decision = cache.decide(run, staging)
        if not decision.reuse:
            pool.submit(run, f"{decision.reason} after it started", staging)
    return [pool.next_done() for _ in range(len(pool.running))]
