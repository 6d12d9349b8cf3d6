"""Rendering: Jupyter Book builds the HTML into a temporary folder, which replaces ``_build`` on success.

Failure, Ctrl-C or SIGTERM leave the last good book in place: the executed
notebooks and the HTML each replace their predecessor only when everything
succeeded, staging folders are removed, and the next build first cleans up
(:func:`clean_leftovers`) what a killed build (SIGKILL, power cut) left.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from swis import paths
from swis.book.build import forking
from swis.book.build import log as build_log
from swis.book.build.warm import WarmRender, warm_render
from swis.errors import BuildError


def _backup() -> Path:
    """The copy of ``book/generated`` kept while a build replaces it."""
    return paths.GENERATED.with_name("generated.previous")


def _discard(path: Path) -> None:
    """Remove a folder: first renamed out of the way (one atomic step), then deleted."""
    if path.exists():
        trash = path.with_name(path.name + ".trash")
        shutil.rmtree(trash, ignore_errors=True)
        path.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)


def _swap(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new`` (directories)."""
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def clean_leftovers() -> list[str]:
    """Restore a consistent book after a killed build and remove its staging folders.

    A ``book/generated.previous`` left behind means the build died after the
    new notebooks replaced the old ones but before the HTML was replaced, so
    the old notebooks go back (they match the HTML in ``_build``). Returns
    what was done, one line each.
    """
    done = []
    build_old = paths.BUILD.with_name(paths.BUILD.name + ".old")
    if not paths.BUILD.exists() and build_old.is_dir():
        build_old.rename(paths.BUILD)
        done.append(f"restored {paths.relative(paths.BUILD)}")
    if _backup().is_dir():
        _discard(paths.GENERATED)
        _backup().rename(paths.GENERATED)
        done.append(f"restored {paths.relative(paths.GENERATED)} from an interrupted build")
    leftovers = [*paths.BOOK.glob("generated.*"), *paths.ROOT.glob("_build.*")]
    for folder in leftovers:
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            done.append(f"removed {paths.relative(folder)}")
    return done


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def sigterm_interrupts():
    """Within the block, SIGTERM interrupts like Ctrl-C (so the clean-up code runs)."""
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def normal_folder(path: Path) -> Path:
    """Give a folder made by :func:`tempfile.mkdtemp` (0700) the permissions of a normal folder."""
    mask = os.umask(0o022)
    os.umask(mask)
    os.chmod(path, 0o777 & ~mask)
    return path


#: The persistent Sphinx folder of incremental renders, and the key of the last render.
RENDER_DIR = paths.ROOT / ".swis-cache" / "render"
RENDER_KEY = RENDER_DIR / "key.txt"


#: What every page of the last incremental render was laid out with (:func:`_layout_hash`).
RENDER_LAYOUT = RENDER_DIR / "layout.txt"


def _layout_hash() -> str:
    """Hash of what every page is laid out with, beyond its own source: the table of contents, the
    configuration, the styles and scripts, and the book's Sphinx extensions."""
    from swis.book.build import html_fixes, numref_speed
    from swis.book.build.cache import file_hash, tree_hash

    parts = [file_hash(paths.ROOT / name) for name in ("_toc.yml", "_config.yml")]
    parts += [tree_hash(paths.ROOT / "_static", "*")]
    parts += [file_hash(Path(module.__file__)) for module in (html_fixes, numref_speed)]
    return "\n".join(parts)


def forget_render_if_layout_changed() -> bool:
    """Drop the incremental render's folder when what every page is laid out with changed since it was made.

    Sphinx re-renders only the pages whose sources changed: a chapter added or removed would leave the other
    pages' navigation as it was and a removed chapter's HTML in place, and a changed stylesheet would leave
    the other pages linking it by its old checksum. Such changes are rare, so the whole book is rendered
    afresh instead. Returns whether the folder was dropped.
    """
    if RENDER_LAYOUT.exists() and RENDER_LAYOUT.read_text() == _layout_hash():
        return False
    shutil.rmtree(RENDER_DIR, ignore_errors=True)
    return True


#: An image of the rendered pages: Sphinx copies them into ``_images`` and never removes one no page uses.
_IMAGE_LINK = re.compile(r"_images/([^\"'?#\s)]+)")


def drop_unused_images(html: Path) -> int:
    """Remove the images of ``html/_images`` that no page links (an incremental render keeps the figures of
    earlier versions of the pages); returns how many were removed.

    Examples
    --------
    >>> import tempfile
    >>> html = Path(tempfile.mkdtemp())
    >>> (html / "_images").mkdir()
    >>> for name in ("new.png", "old.png"):
    ...     _ = (html / "_images" / name).write_bytes(b"png")
    >>> _ = (html / "page.html").write_text('<img src="../_images/new.png" />')
    >>> drop_unused_images(html), sorted(p.name for p in (html / "_images").iterdir())
    (1, ['new.png'])
    """
    used = set()
    for page in html.rglob("*.html"):
        used |= set(_IMAGE_LINK.findall(page.read_text(encoding="utf-8", errors="replace")))
    unused = [p for p in (html / "_images").glob("*") if p.is_file() and p.name not in used]
    for path in unused:
        path.unlink()
    return len(unused)


def render_key() -> str:
    """Hash of everything the HTML is made from: the book's pages and notebooks, and what every page is laid
    out with (:func:`_layout_hash`: contents, configuration, styles and the book's Sphinx extensions)."""
    from swis.book.build.cache import tree_hash

    return tree_hash(paths.BOOK, "*") + "\n" + _layout_hash()


def _jupyter_book(output: Path, strict: bool, pdf: bool = False, warm: WarmRender | None = None) -> None:
    """Run ``jupyter-book build`` into ``output``; raise BuildError unless it made the HTML. ``warm``: a
    started Jupyter Book process to run it in (:mod:`.warm`), when there is one."""
    # the console script installed next to this interpreter (the module has no __main__ guard)
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(paths.ROOT)]
    cmd += ["--path-output", str(output), "--builder", "html"] + (["-n", "-W", "--keep-going"] if strict else [])
    edition_too = "then its PDF edition" if pdf else "HTML only: --pdf or `make book` also prints the PDF edition"
    print(f"rendering the book (jupyter-book; {edition_too})", file=sys.stderr, flush=True)
    build_log.LOG.parent.mkdir(parents=True, exist_ok=True)
    with open(build_log.LOG, "a", encoding="utf-8") as log:
        log.write("jupyter-book " + " ".join(cmd[1:]) + "\n")
        log.flush()
        child = warm.run(cmd[1:]) if warm is not None else None
        if child is None:
            child = subprocess.Popen(cmd, cwd=paths.ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        code = child.wait()
        if code != 0 or not (output / "_build" / "html" / "index.html").exists():
            raise BuildError(_render_failed(code))
    finally:
        if child.poll() is None:
            child.terminate()
            child.wait()


def _render_failed(code: int) -> str:
    """The message of a failed render: Jupyter Book's warnings and errors, and where its whole output is."""
    problems = build_log.sphinx_problems(build_log.LOG.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(
        [f"jupyter-book build failed (exit {code}); the previous book is left in place", *problems]
        + [f"Jupyter Book's whole output is in {build_log.where()}"]
    )


def jupyter_book(strict: bool = True, clean: bool = True, pdf: bool = False, warm: WarmRender | None = None) -> bool:
    """Render the book; replace ``_build`` only on success. Returns whether anything was rendered.

    ``clean``: from an empty folder (what CI does, so every page's warnings are seen). Otherwise Sphinx
    renders incrementally in a persistent folder (only changed pages), and not at all when nothing the
    HTML is made from changed since the last render.

    ``pdf``: also print the PDF edition (:mod:`swis.book.pdf`, several seconds), from the new pages before
    they replace the old, or from the built pages when nothing changed and they have none, or only one
    printed at another commit (whose cover names that commit). A render replaces
    the whole of ``_build``, so a PDF edition in it is always the one of its pages: without ``pdf``, a new
    render leaves none.

    ``warm``: the build's Jupyter Book process, if it started one (:mod:`.warm`).
    """
    from swis.book.pdf import edition, edition_is_current
    from swis.book.toc import write_toc

    write_toc()  # Jupyter Book reads _toc.yml; it is written from book/toc.yml and data/book.yml
    key = render_key()
    if not clean and RENDER_KEY.exists() and RENDER_KEY.read_text() == key and (paths.BUILD / "html").exists():
        print("rendering the book: nothing changed since the last render", file=sys.stderr, flush=True)
        if pdf and not edition_is_current(paths.BUILD / "html"):  # none, or printed at another commit
            print("rendering the PDF edition of the built pages", file=sys.stderr, flush=True)
            edition(paths.BUILD / "html")
        return False
    if not clean and forget_render_if_layout_changed():
        print("rendering every page: the contents, configuration or styles are new or changed", file=sys.stderr)
    output = normal_folder(Path(tempfile.mkdtemp(prefix="_build.", dir=paths.ROOT))) if clean else RENDER_DIR
    tmp = normal_folder(Path(tempfile.mkdtemp(prefix="_build.", dir=paths.ROOT)))
    try:
        RENDER_KEY.unlink(missing_ok=True)
        _jupyter_book(output, strict, pdf, warm)
        shutil.copytree(output / "_build" / "html", tmp / "html")
        drop_unused_images(tmp / "html")
        if pdf:
            edition(tmp / "html")  # printed from these pages, it replaces the old book with them
        _swap(tmp, paths.BUILD)
        RENDER_DIR.mkdir(parents=True, exist_ok=True)
        RENDER_KEY.write_text(key)
        if not clean:  # the stamp describes the incremental folder, which a clean render leaves alone
            RENDER_LAYOUT.write_text(_layout_hash())
    except BaseException:
        if not clean:  # a half-done incremental render is not trusted: the next one starts afresh
            shutil.rmtree(RENDER_DIR, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if clean:
            shutil.rmtree(output, ignore_errors=True)
    return True


def _keep_backup(staging: Path) -> Path:
    """Copy ``book/generated`` to :func:`_backup` (complete or not at all); on interruption drop the staging."""
    backup, partial = _backup(), _backup().with_name("generated.partial")
    try:
        if paths.GENERATED.exists():
            shutil.copytree(paths.GENERATED, partial)
            partial.rename(backup)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return backup


def build(
    overrides: dict[str, dict] | None = None,
    only: list[str] | None = None,
    render: bool = True,
    progress: bool = True,
    **options,
) -> Path:
    """Execute the notebooks (all, or the runs named in ``only``) and render the book.

    ``options``: ``force`` (re-execute every notebook, ignoring the cache), ``clean`` (render from an
    empty folder rather than incrementally) and ``pdf`` (print the PDF edition too). Interrupted (Ctrl-C,
    SIGTERM) or failed, it leaves the previous notebooks and HTML in place, in step, and no staging folder.

    Returns
    -------
    Path
        ``_build/html/index.html``.
    """
    build_log.start()
    for line in clean_leftovers():
        print(f"clean-up: {line}", file=sys.stderr, flush=True)
    keep = paths.GENERATED if only is not None else None
    with sigterm_interrupts(), warm_render(build_log.LOG) as warm:
        # the kernels' fork server imports what they need while the build imports the rest of itself (pandas
        # and pandera among them: imported here, not with this module, so that the fork server starts first)
        # and reads and checks its inputs
        with forking.zygote(build_log.LOG, eager=True) as zygote:
            from swis.book.build.execute import execute_all
            from swis.book.build.params import check_book_inputs
            from swis.book.build.plan import plan
            from swis.config import load_book_config

            runs = plan(load_book_config(), overrides)
            if only is not None:
                runs = [r for r in runs if r.name in only]
            check_book_inputs(runs)
            force, idle = options.get("force", False), warm.start if render else None
            staging, report = execute_all(runs, keep, progress, force, zygote=zygote, on_idle=idle)
        staging = normal_folder(staging)
        backup = _keep_backup(staging)
        try:
            _swap(staging, paths.GENERATED)
            if render:
                jupyter_book(clean=options.get("clean", False), pdf=options.get("pdf", False), warm=warm)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if backup.exists():
                _discard(paths.GENERATED)
                backup.rename(paths.GENERATED)
            raise
        _discard(backup)
    return paths.BUILD / "html" / "index.html"
