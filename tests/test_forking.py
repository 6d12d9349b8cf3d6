"""The kernels' fork server (swis.book.build.zygote, swis.book.build.forking): a forked kernel runs code in
the folder and environment it was given, dies cleanly when killed, and the build falls back to ordinary
kernels when there is no zygote."""

from __future__ import annotations

import os
import signal
import sys
import time

import nbformat
import papermill as pm
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from swis.book.build import forking

CODE = (
    "import os, numpy as np\n"
    "print(os.getcwd(), os.environ.get('SWIS_FORK_TEST'), os.getpid())\n"
    "print(int((np.ones((200, 200)) @ np.ones((200, 200))).sum()))"  # OpenBLAS works after the fork
)


def _notebook(tmp_path, code=CODE):
    nb = new_notebook(cells=[new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return path


def _run(path, cwd):
    manager = forking.kernel_manager_class()
    extra = {"kernel_manager_class": manager} if manager else {}
    out = pm.execute_notebook(str(path), None, cwd=str(cwd), kernel_name="python3", progress_bar=False, **extra)
    return out.cells[0].outputs[0]["text"].split()


@pytest.fixture
def zygote(monkeypatch):
    monkeypatch.setenv("SWIS_FORK_TEST", "seen")
    monkeypatch.delenv(forking.SWITCH, raising=False)
    with forking.zygote() as address:
        forking.use(address())
        yield address()
    forking.use(None)


def _sleeper(folder) -> list[str]:
    """A kernel command (an interpreter running a module of ``folder``) that sleeps."""
    (folder / "sleeper.py").write_text("import time\ntime.sleep(60)\n")
    return [sys.executable, *forking.kernel_options(), "-m", "sleeper"]


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    return found


def test_a_forked_kernel_runs_code_in_its_folder_and_environment(zygote, tmp_path):
    assert zygote is not None
    cwd, env, pid, total = _run(_notebook(tmp_path), tmp_path)
    assert (cwd, env, total) == (str(tmp_path), "seen", str(200**3))
    assert int(pid) not in _children(os.getpid())  # forked by the zygote, not started by this process


def test_a_killed_forked_kernel_is_reaped_and_reported(zygote, tmp_path):
    process = forking.fork_kernel(_sleeper(tmp_path), tmp_path, dict(os.environ))
    assert process.poll() is None
    process.kill()
    assert process.wait(timeout=30) == -signal.SIGKILL


def test_the_zygote_kills_its_kernels_when_the_build_ends(tmp_path, monkeypatch):
    monkeypatch.delenv(forking.SWITCH, raising=False)
    with forking.zygote() as address:
        forking.use(address())
        process = forking.fork_kernel(_sleeper(tmp_path), tmp_path, dict(os.environ))
        pid = process.pid
    forking.use(None)
    assert _gone(pid)


def test_without_a_zygote_kernels_start_the_ordinary_way(tmp_path, monkeypatch):
    monkeypatch.setenv(forking.SWITCH, "0")
    monkeypatch.setenv("SWIS_FORK_TEST", "seen")
    with forking.zygote() as address:
        assert address() is None
        forking.use(address())
        assert forking.kernel_manager_class() is None
        cwd, env, pid, _ = _run(_notebook(tmp_path), tmp_path)
    assert (cwd, env) == (str(tmp_path), "seen")


def test_a_zygote_that_is_gone_falls_back_to_ordinary_kernels(tmp_path, monkeypatch):
    monkeypatch.setenv("SWIS_FORK_TEST", "seen")
    forking.use(str(tmp_path / "no-such-socket"))
    try:
        cwd, env, _, _ = _run(_notebook(tmp_path), tmp_path)
    finally:
        forking.use(None)
    assert (cwd, env) == (str(tmp_path), "seen")


def test_a_kernel_whose_start_up_environment_differs_is_started_the_ordinary_way(zygote, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PYTHONHASHSEED", "123")  # the zygote's hash seed is not this: it must not fork the kernel
    with pytest.raises(forking.Unavailable, match="PYTHONHASHSEED"):
        forking.fork_kernel(_sleeper(tmp_path), tmp_path, dict(os.environ))
    cwd, env, pid, _ = _run(_notebook(tmp_path), tmp_path)
    assert (cwd, env) == (str(tmp_path), "seen")
    assert "kernel started the ordinary way" in capsys.readouterr().err


def _gone(pid: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.1)
    return not os.path.exists(f"/proc/{pid}")


def test_a_forked_kernel_ends_when_its_zygote_is_killed(zygote, tmp_path):
    import asyncio

    async def start() -> int:
        manager = forking.ForkingKernelManager(kernel_name="python3")
        manager.connection_file = str(tmp_path / "kernel.json")  # not left in the user's Jupyter runtime folder
        await manager.start_kernel(cwd=str(tmp_path))
        return manager.provisioner.pid

    kernel = asyncio.run(start())
    with open(f"/proc/{kernel}/stat") as stat:
        parent = int(stat.read().rsplit(")", 1)[1].split()[1])
    os.kill(parent, signal.SIGKILL)  # the zygote, as a power cut would: it cannot kill its kernels itself
    assert _gone(kernel), "the kernel outlived its zygote"


def test_an_eager_zygote_never_asked_for_is_killed_at_once(monkeypatch):
    monkeypatch.delenv(forking.SWITCH, raising=False)
    before = _children(os.getpid())
    with forking.zygote(eager=True):
        (started,) = _children(os.getpid()) - before  # started before anything asked for it
        ended = time.monotonic()
    ended = time.monotonic() - ended
    assert not os.path.exists(f"/proc/{started}")  # reaped: not left behind, not even as a zombie
    assert ended < 1.0  # killed in the middle of its imports (about two seconds), not waited for


def test_an_eager_zygote_serves_kernels_once_asked_for(monkeypatch, tmp_path):
    monkeypatch.delenv(forking.SWITCH, raising=False)
    monkeypatch.setenv("SWIS_FORK_TEST", "seen")
    with forking.zygote(eager=True) as address:
        forking.use(address())
        try:
            cwd, env, pid, _ = _run(_notebook(tmp_path), tmp_path)
        finally:
            forking.use(None)
    assert (cwd, env) == (str(tmp_path), "seen")
    assert int(pid) not in _children(os.getpid())  # forked by the zygote
