"""A fork server for kernels: one process imports the heavy libraries once and forks a kernel per notebook.

Every notebook runs in a fresh kernel, and every kernel used to spend a second or two of CPU importing
IPython, pandas, statsmodels, matplotlib and pandera before its first cell ran. The build starts this process
(the "zygote") once; it imports those libraries and then, for each kernel start a build worker asks for
(:mod:`swis.book.build.forking`), forks a child that takes the worker's standard streams, the working folder,
environment and arguments of the kernel command, its own session (as ``jupyter_client`` gives a kernel), and
runs ``python -m ipykernel_launcher`` in-process. Each notebook still runs in its own process, which reads
its data itself: of the project, only what a notebook imports before its recording starts is imported here
(:mod:`.record`, which reads no data), so the recorder sees the same reads as in a kernel started the
ordinary way. Not ``matplotlib_inline``: it hooks into the running IPython shell when imported, and there is
none here.

Fork safety: nothing here starts a thread or a ZMQ context before forking (:func:`fork_problem` checks, and the
zygote refuses to fork if something did); OpenBLAS shuts its threads down at a fork and starts them again in
the child. The zygote ignores Ctrl-C (the build that started it stops it), and ends, killing the kernels it
forked, when the build closes its standard input, which the operating system does however the build ends.
Run as ``python -m swis.book.build.zygote FD`` with ``FD`` a listening ``AF_UNIX`` ``SOCK_SEQPACKET`` socket.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import runpy
import selectors
import signal
import socket
import sys
import threading
import traceback

#: What every notebook's kernel imports: the kernel itself, and the libraries the ``swis`` package uses. Not
#: ``ipykernel.kernelapp``: its class reads ``JPY_PARENT_PID`` when it is defined, which must be the kernel's.
HEAVY = (
    "IPython",
    "ipykernel.ipkernel",
    "numpy",
    "pandas",
    "scipy.stats",
    "statsmodels.api",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.pyplot",
    "pandera",
    "yaml",
    # what the build's first (hidden) cell imports before the recording starts; it reads no data at import
    "swis.book.build.record",
)
#: The backend ``ipykernel`` asks of matplotlib (through this variable) when nothing else is asked for;
#: matplotlib reads it at import, so it must be set before the zygote imports matplotlib.
INLINE = "module://matplotlib_inline.backend_inline"
#: Environment variables read when the interpreter or a library starts: a kernel whose environment gives one
#: of them another value than the zygote's is not forked here (its libraries would have started differently).
STARTUP = ("MPLBACKEND", "MPLCONFIGDIR", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "SWIS_ROOT")
#: Largest message: a kernel command, its folder and its environment.
MESSAGE = 1 << 20


def startup_env(env: dict[str, str]) -> dict[str, str | None]:
    """The variables of ``env`` a process's imports depend on (``PYTHON*`` and :data:`STARTUP`).

    Examples
    --------
    >>> startup_env({"PYTHONHASHSEED": "0", "HOME": "/root", "MPLBACKEND": "agg"})
    {'MPLBACKEND': 'agg', 'PYTHONHASHSEED': '0'}
    >>> startup_env({})
    {'MPLBACKEND': 'module://matplotlib_inline.backend_inline'}
    """
    names = sorted({*STARTUP, *(k for k in env if k.startswith("PYTHON"))})
    found = {k: env.get(k) for k in names if env.get(k) is not None}
    found.setdefault("MPLBACKEND", INLINE)  # what ipykernel sets when it is not set
    return dict(sorted(found.items()))


def preload() -> None:
    """Import :data:`HEAVY` as a kernel would see them (matplotlib with the kernel's backend)."""
    os.environ.setdefault("MPLBACKEND", INLINE)
    for name in HEAVY:
        __import__(name)


def fork_problem() -> str | None:
    """Why forking this process would be unsafe (a thread or a ZMQ context started), or None."""
    if threading.active_count() > 1:
        return f"{threading.active_count()} threads are running"
    zmq = sys.modules.get("zmq")
    if zmq is not None and getattr(zmq.Context, "_instance", None) is not None:
        return "a ZMQ context exists"
    return None


def refusal(request: dict, ours: dict[str, str | None]) -> str | None:
    """Why this zygote cannot start the kernel ``request`` asks for, or None.

    Examples
    --------
    >>> ours = startup_env({})
    >>> cmd = [sys.executable, *interpreter_options(), "-m", "ipykernel_launcher", "-f", "k.json"]
    >>> refusal({"argv": cmd, "cwd": "/", "env": {}}, ours) is None
    True
    >>> refusal({"argv": ["R", "--kernel"], "cwd": "/", "env": {}}, ours)
    'not a Python module run by this interpreter'
    >>> refusal({"argv": cmd, "cwd": "/", "env": {"PYTHONHASHSEED": "1"}}, ours)
    'its environment sets PYTHONHASHSEED differently'
    """
    argv = request.get("argv") or []
    if not argv or argv[0] != sys.executable or "-m" not in argv[:-1]:
        return "not a Python module run by this interpreter"
    if argv[1 : argv.index("-m")] != interpreter_options():
        return "its interpreter options differ from the zygote's"
    if os.path.exists(os.path.join(request.get("cwd", ""), "matplotlibrc")) or os.path.exists("matplotlibrc"):
        return "a matplotlibrc in its folder or the zygote's (matplotlib reads it at import)"
    theirs = startup_env(request.get("env") or {})
    differ = [k for k in {**ours, **theirs} if ours.get(k) != theirs.get(k)]
    return f"its environment sets {', '.join(differ)} differently" if differ else None


def interpreter_options(argv: list[str] | None = None) -> list[str]:
    """The options given to the interpreter before ``-m`` (``-X`` and the like) in ``argv``, or this process's.

    Examples
    --------
    >>> interpreter_options(["/v/bin/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "k.json"])
    ['-Xfrozen_modules=off']
    """
    argv = list(sys.orig_argv if argv is None else argv)
    return argv[1 : argv.index("-m")] if "-m" in argv else argv[1:]


def run_kernel(request: dict, streams: list[int]) -> int:
    """In a forked child: become the process the kernel command would have started, and run it.

    Returns the exit status. ``streams`` are the starting worker's standard input, output and error.
    """
    os.setsid()  # as jupyter_client starts a kernel: its own session, out of reach of the build's Ctrl-C
    for target, fd in zip((0, 1, 2), streams, strict=False):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # jupyter_client's launcher sets this so that a kernel ends with its parent: here the parent is the zygote
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if "numpy.random" in sys.modules:  # a fresh process seeds numpy's global generator from the system
        sys.modules["numpy.random"].seed()
    sys.path[0] = os.getcwd()  # what ``python -m`` puts first, from the kernel's folder
    at = request["argv"].index("-m") + 1
    module = request["argv"][at]
    sys.argv = [module, *request["argv"][at + 1 :]]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:  # noqa: BLE001 - a kernel's crash is reported as a process's would be
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    return code


class Zygote:
    """The server: forks kernels on request, tells their status, kills those of a worker that went away."""

    def __init__(self, listener: socket.socket):
        self.listener = listener
        self.selector = selectors.DefaultSelector()
        self.children: dict[int, socket.socket] = {}  # live kernel -> the connection that asked for it
        self.status: dict[int, int] = {}  # ended kernel -> its exit status
        self.env = startup_env(dict(os.environ))
        self.problem = fork_problem()
        self.selector.register(listener, selectors.EVENT_READ)
        self.selector.register(sys.stdin, selectors.EVENT_READ)

    def serve(self) -> None:
        """Answer requests until the build closes standard input; then kill every kernel left and return."""
        try:
            while True:
                for key, _ in self.selector.select():
                    if key.fileobj is sys.stdin:
                        if not os.read(0, 4096):
                            return
                    elif key.fileobj is self.listener:
                        conn, _ = self.listener.accept()
                        self.selector.register(conn, selectors.EVENT_READ)
                    else:
                        self.answer(key.fileobj)
        finally:
            for conn in list(self.children.values()):
                self.forget(conn)

    def answer(self, conn: socket.socket) -> None:
        """Read one request of ``conn`` and answer it; a closed connection's kernels are killed."""
        try:
            data, fds, _, _ = socket.recv_fds(conn, MESSAGE, 3)
        except OSError:
            data, fds = b"", []
        if not data:
            self.forget(conn)
            return
        request = json.loads(data)
        if request["op"] == "start":
            reply = self.start(conn, request, fds)
        else:
            reply = {"status": self.poll(request["pid"])}
        try:
            conn.sendall(json.dumps(reply).encode())
        except OSError:  # the worker went away meanwhile
            self.forget(conn)

    def start(self, conn: socket.socket, request: dict, fds: list[int]) -> dict:
        """Fork a kernel for ``request`` (its standard streams in ``fds``); the reply names its process id."""
        why = self.problem or refusal(request, self.env)
        if why is not None or len(fds) != 3:
            for fd in fds:
                os.close(fd)
            return {"error": why or "expected three standard streams"}
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                self.close_inherited()
                code = run_kernel(request, fds)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        for fd in fds:
            os.close(fd)
        self.children[pid] = conn
        return {"pid": pid}

    def close_inherited(self) -> None:
        """In a child: close the zygote's sockets and selector (a kernel must not hold them)."""
        for conn in set(self.children.values()) | {k.fileobj for k in self.selector.get_map().values()}:
            if isinstance(conn, socket.socket):
                conn.close()
        self.selector.close()

    def poll(self, pid: int) -> int | None:
        """The exit status of kernel ``pid`` (reaping it), or None while it runs."""
        if pid in self.children:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                self.children.pop(pid)
                self.status[pid] = os.waitstatus_to_exitcode(status)
        return self.status.get(pid)

    def forget(self, conn: socket.socket) -> None:
        """Kill and reap the kernels ``conn`` asked for, and close it."""
        for pid in [p for p, c in self.children.items() if c is conn]:
            for kill in (os.killpg, os.kill):  # its group, and itself in case it has not made its group yet
                with contextlib.suppress(ProcessLookupError):
                    kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            self.children.pop(pid)
        if conn in {k.fileobj for k in self.selector.get_map().values()}:
            self.selector.unregister(conn)
        conn.close()


def main(fd: int) -> None:
    """Preload, then serve on the listening socket ``fd`` until standard input closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the build, which stops this process
    listener = socket.socket(fileno=fd)
    failed = None
    try:
        preload()
    except Exception as err:  # noqa: BLE001 - serve anyway: every start is refused, the build starts kernels
        traceback.print_exc()
        failed = f"the zygote could not import what kernels need: {err}"
    zygote = Zygote(listener)
    zygote.problem = failed or zygote.problem
    zygote.serve()
    # Every kernel is killed and reaped; nothing is left to clean up. Ending without the interpreter's
    # finalisation (tearing down pandas, statsmodels, matplotlib: about 0.4 s) lets the build go on at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
