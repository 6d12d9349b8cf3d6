"""Builds that are interrupted, rebuilt, or run with no network (marked ``book``: they run after `make book`).

Each test starts from the book `make book` built and must leave it as it was:
an interrupted build leaves the previous notebooks and HTML in place and in
step, with no staging folder; a second build from the same inputs gives
byte-identical executed notebooks and HTML and the same PDF edition page for page, and needs no network.
Cost: about one full build for the rebuild, two executions for the interruptions during rendering.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from swis import paths
from swis.book.build.render import clean_leftovers
from swis.book.pdf import PDF_NAME as PDF  # the PDF edition, compared page by page (see its test)

# every notebook executed, a clean render and the PDF edition, as `make book` does in CI (a plain build would
# reuse every notebook, and without --pdf a render leaves no PDF edition)
SWIS = [str(Path(sys.executable).with_name("swis")), "build", "--quiet", "--force", "--clean", "--pdf"]
TIMEOUT = 900  # seconds: a full build takes about two minutes on two cores


def tree(root: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def book_state() -> dict[str, dict[str, str]]:
    return {"generated": tree(paths.GENERATED), "html": tree(paths.BUILD / "html")}


def leftovers() -> list[str]:
    found = [*paths.BOOK.glob("generated.*"), *paths.ROOT.glob("_build.*"), paths.BUILD.with_name("_build.old")]
    return sorted(paths.relative(p) for p in found if p.exists())


def wait_for(predicate, process: subprocess.Popen, what: str, timeout: float = TIMEOUT) -> None:
    start = time.monotonic()
    while not predicate():
        if process.poll() is not None:
            pytest.fail(f"the build ended (exit {process.returncode}) before {what}")
        if time.monotonic() - start > timeout:
            process.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def rendering() -> bool:
    return any(p.is_dir() for p in paths.ROOT.glob("_build.*"))


def executing() -> bool:
    return any(p.is_dir() and any(p.glob("*.ipynb")) for p in paths.BOOK.glob("generated.*"))


def start_build() -> subprocess.Popen:
    return subprocess.Popen(
        SWIS, cwd=paths.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )


@pytest.mark.book
def test_ctrl_c_while_executing_leaves_the_book_in_step(built):
    before = book_state()
    build = start_build()
    wait_for(executing, build, "the first notebook was executed")
    os.killpg(build.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group: swis and its kernel
    _, err = build.communicate(timeout=TIMEOUT)
    assert build.returncode != 0
    assert b"Traceback" not in err
    assert leftovers() == []
    assert book_state() == before


@pytest.mark.book
def test_sigterm_while_rendering_leaves_the_book_in_step(built):
    before = book_state()
    build = start_build()
    wait_for(rendering, build, "rendering started")
    time.sleep(3)
    build.send_signal(signal.SIGTERM)  # to swis alone: it must stop jupyter-book itself
    build.communicate(timeout=TIMEOUT)
    assert build.returncode != 0
    assert leftovers() == []
    assert book_state() == before


@pytest.mark.book
def test_a_killed_build_is_cleaned_up_by_the_next(built):
    before = book_state()
    build = start_build()
    wait_for(rendering, build, "rendering started")
    os.killpg(build.pid, signal.SIGKILL)  # no clean-up possible: a power cut
    build.wait(timeout=60)
    assert leftovers(), "a killed build leaves its staging folders"
    done = clean_leftovers()  # what the next build does first
    assert done and leftovers() == []
    assert book_state() == before


def offline_prefix() -> tuple[list[str], str]:
    """A command prefix running in a network namespace with only loopback, or the reason it is not possible."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        return [], "unshare or ip is not installed"
    probe = subprocess.run(["unshare", "-rn", "sh", "-c", "ip link set lo up"], capture_output=True, text=True)
    if probe.returncode != 0:
        return [], f"cannot create a network namespace here: {probe.stderr.strip() or probe.returncode}"
    return ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"], ""


@pytest.fixture(scope="module")
def rebuild(built):
    """The book as `make book` built it, and as a second build (offline where possible) builds it again."""
    before = book_state()
    pdf = paths.BUILD / "html" / PDF
    pages_before = page_texts(pdf)
    prefix, reason = offline_prefix()
    done = subprocess.run(
        [*prefix, *SWIS], cwd=paths.ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {
        "before": before,
        "after": book_state(),
        "pages": (pages_before, page_texts(pdf)),
        "offline": bool(prefix),
        "reason": reason,
    }


def page_texts(pdf: Path) -> list[str]:
    """The text of every page of the PDF edition, white space made single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages] if pdf.exists() else []


@pytest.mark.book
def test_two_builds_are_byte_identical(rebuild):
    before, after = rebuild["before"], rebuild["after"]
    for part in ("generated", "html"):
        assert sorted(before[part]) == sorted(after[part]), part
        differ = [name for name in before[part] if before[part][name] != after[part][name] and name != PDF]
        assert differ == [], f"{part}: {differ[:10]}"


@pytest.mark.book
def test_two_builds_print_the_same_pdf_page_for_page(rebuild):
    # The PDF's bytes also hold the browser's own choices (its font subsets and object order), which the build
    # does not control; what it controls, the cover's commit and date included, must be the same on every page.
    first, second = rebuild["pages"]
    assert first, "no PDF edition: make book prints it"
    assert len(first) == len(second), f"{len(first)} pages, then {len(second)}"
    differ = [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
    assert differ == [], (
        f"pages {[i + 1 for i in differ[:10]]} differ; page {differ[0] + 1} read {first[differ[0]][:400]!r}, "
        f"then {second[differ[0]][:400]!r}"
    )


@pytest.mark.book
def test_the_book_builds_with_no_network(rebuild):
    if not rebuild["offline"]:
        pytest.skip(f"no offline build on this machine: {rebuild['reason']}")
    # the rebuild ran in a network namespace with only loopback, and succeeded (see the fixture)
    assert rebuild["after"]["html"]
