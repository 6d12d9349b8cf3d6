"""Kernels forked from the build's zygote (:mod:`.zygote`), started through jupyter_client's provisioner API.

:func:`zygote` (in the build's process) starts the fork server for the length of a build; each worker that
executes notebooks is told its address (:func:`use`) and papermill is given :class:`ForkingKernelManager`,
whose provisioner asks the zygote for a kernel instead of starting a new interpreter. Everything else about a
kernel is as before: its connection file and ports come from jupyter_client, signals go to its process group,
it writes to the worker's standard output and error (the build log). If the zygote cannot start, refuses a
kernel or does not answer, the kernel is started the ordinary way. ``SWIS_FORK_KERNELS=0`` turns forking off.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

from swis import paths

#: Set to ``0`` to start every kernel as a new interpreter (the fork server is not started).
SWITCH = "SWIS_FORK_KERNELS"
#: Seconds a worker waits for the zygote's answer (its first answer waits for its imports, on a busy machine).
PATIENCE = 120.0
#: In a worker: the zygote's ``address`` (set by :func:`use`; None: kernels start the ordinary way) and the
#: ``client`` connected to it (made at the first kernel start).
WORKER: dict = {"address": None, "client": None}


def wanted(env: dict[str, str] | None = None) -> bool:
    """Whether kernels are to be forked (unless ``SWIS_FORK_KERNELS`` is ``0``, ``no``, ``off`` or ``false``).

    Examples
    --------
    >>> wanted({}), wanted({"SWIS_FORK_KERNELS": "0"}), wanted({"SWIS_FORK_KERNELS": "1"})
    (True, False, True)
    """
    value = (os.environ if env is None else env).get(SWITCH, "1")
    return value.strip().lower() not in {"0", "no", "off", "false"}


@contextlib.contextmanager
def zygote(log: Path | None = None, eager: bool = False) -> Iterator[Callable[[], str | None]]:
    """For the block, a function that returns the zygote's address (None when forking is off or it cannot
    start), starting the zygote at its first call; a build that executes nothing starts none.

    ``eager``: start the zygote when the block begins, so that its imports (about two seconds) overlap with
    what the build does before it executes anything (reading its settings, checking its inputs, deciding what
    to execute). A zygote that was never asked for is killed when the block ends: it has no kernel, so nothing
    is lost, and a build with nothing to execute does not wait for its imports.

    The zygote ends when the block ends, or with this process however it ends (its standard input closes).
    """
    started: dict = {}

    def start() -> None:
        if "address" not in started:
            started["address"] = None
            if wanted():
                started["folder"] = tempfile.mkdtemp(prefix="swis-zygote.")
                path = os.path.join(started["folder"], "socket")
                started["process"] = _start(path, log)
                started["address"] = path if started["process"] is not None else None

    def address() -> str | None:
        start()
        started["used"] = True
        return started["address"]

    try:
        if eager:
            start()
        yield address
    finally:
        if started.get("process") is not None:
            _stop(started["process"], graceful=started.get("used", False))
        if "folder" in started:
            shutil.rmtree(started["folder"], ignore_errors=True)


def _start(address: str, log: Path | None) -> subprocess.Popen | None:
    """Start the zygote serving on ``address``; None if it could not be started."""
    try:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        listener.bind(address)
        listener.listen(16)
        out = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115 - closed below
        try:
            cmd = [sys.executable, *kernel_options(), "-m", "swis.book.build.zygote", str(listener.fileno())]
            return subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=out, stderr=out, pass_fds=[listener.fileno()], cwd=paths.ROOT
            )
        finally:
            listener.close()
            if out is not subprocess.DEVNULL:
                out.close()
    except OSError as err:
        print(f"kernels start the ordinary way: the zygote could not start ({err})", file=sys.stderr)
        return None


def kernel_options(name: str = "python3") -> list[str]:
    """The interpreter options of kernel ``name``'s command (e.g. ``-Xfrozen_modules=off``): the zygote is
    started with them, since the kernels it forks run in its interpreter."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    from swis.book.build.zygote import interpreter_options

    try:
        return interpreter_options(KernelSpecManager().get_kernel_spec(name).argv)
    except NoSuchKernel:
        return []


def _stop(process: subprocess.Popen, graceful: bool = True) -> None:
    """Close the zygote's standard input (it kills its kernels and ends) and wait for it; kill it if it hangs.

    Not ``graceful`` (no kernel was ever asked of it): kill it at once, even in the middle of its imports.
    """
    if not graceful:
        process.kill()
    with contextlib.suppress(OSError):
        process.stdin.close()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def use(address: str | None) -> None:
    """In a worker: start kernels from the zygote at ``address`` (None: the ordinary way)."""
    WORKER.update(address=address, client=None)


def kernel_manager_class() -> type[AsyncKernelManager] | None:
    """The kernel manager papermill should use in this worker: the forking one when a zygote was given."""
    return ForkingKernelManager if WORKER["address"] is not None else None


class Unavailable(Exception):
    """The zygote refused a kernel, or is not there: start it the ordinary way."""


class Gone(Unavailable):
    """The zygote is not there or does not answer: start this worker's kernels the ordinary way from now on."""


class Client:
    """A worker's connection to the zygote: one request at a time, each answered by one message."""

    def __init__(self, address: str):
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(PATIENCE)
        self.sock.connect(address)

    def ask(self, request: dict, fds: tuple[int, ...] = ()) -> dict:
        """Send ``request`` (with file descriptors ``fds``) and return the answer; raise Unavailable on failure."""
        with self.lock:
            try:
                socket.send_fds(self.sock, [json.dumps(request).encode()], list(fds))
                answer = self.sock.recv(1 << 16)
            except OSError as err:
                raise Gone(f"the zygote did not answer: {err}") from None
        if not answer:
            raise Gone("the zygote has ended")
        reply = json.loads(answer)
        if "error" in reply:
            raise Unavailable(reply["error"])
        return reply

    def close(self) -> None:
        self.sock.close()


def _client() -> Client:
    """This worker's connection to the zygote (made at the first kernel start)."""
    if WORKER["client"] is None:
        try:
            WORKER["client"] = Client(WORKER["address"])
        except (OSError, TypeError) as err:
            WORKER["address"] = None
            raise Gone(f"no zygote: {err}") from None
    return WORKER["client"]


def _give_up() -> None:
    """Start this worker's later kernels the ordinary way (the zygote failed); the closed connection tells
    the zygote to kill whatever it forked for this worker."""
    if WORKER["client"] is not None:
        WORKER["client"].close()
    WORKER.update(address=None, client=None)


class Forked:
    """The part of :class:`subprocess.Popen` jupyter_client uses, for a kernel the zygote forked."""

    def __init__(self, pid: int, client: Client, stdin):
        self.pid, self.client, self.stdin = pid, client, stdin
        self.stdout = self.stderr = None
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = self.client.ask({"op": "poll", "pid": self.pid})["status"]
            except Gone:  # the zygote is gone, and killed its kernels as it went
                self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


#: Keyword arguments of a kernel launch the zygote honours; any other (redirected streams, an independent
#: kernel that must outlive the build) is left to the ordinary launch.
_HONOURED = {"cwd", "env", "kernel_id", "extra_arguments"}


def fork_kernel(cmd: list[str], cwd: str | None, env: dict[str, str] | None) -> Forked:
    """Ask the zygote for a kernel running ``cmd`` in ``cwd`` with ``env``; raise Unavailable if it cannot."""
    client = _client()
    read, write = os.pipe()  # the kernel's standard input, as jupyter_client gives it: a pipe nobody writes to
    try:
        request = {"op": "start", "argv": cmd, "cwd": str(cwd or os.getcwd()), "env": dict(env or os.environ)}
        try:
            pid = client.ask(request, (read, 1, 2))["pid"]
        except Unavailable:
            os.close(write)
            raise
    finally:
        os.close(read)
    return Forked(pid, client, os.fdopen(write, "wb"))


class ForkingProvisioner(LocalProvisioner):
    """A local provisioner whose kernels the zygote forks (the ordinary launch when it cannot)."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        if WORKER["address"] is None or set(kwargs) - _HONOURED:
            return await super().launch_kernel(cmd, **kwargs)
        try:
            self.process = fork_kernel(cmd, kwargs.get("cwd"), kwargs.get("env"))
        except Unavailable as why:
            print(f"kernel started the ordinary way: {why}", file=sys.stderr, flush=True)
            if isinstance(why, Gone):
                _give_up()
            return await super().launch_kernel(cmd, **kwargs)
        self.pid = self.pgid = self.process.pid  # the child made its own session, as a kernel does
        self.cwd = kwargs.get("cwd", os.getcwd())
        return self.connection_info


class ForkingKernelManager(AsyncKernelManager):
    """The kernel manager for papermill whose provisioner is a :class:`ForkingProvisioner`."""

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or self.new_kernel_id()
            self.provisioner = ForkingProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    @staticmethod
    def new_kernel_id() -> str:
        import uuid

        return str(uuid.uuid4())
