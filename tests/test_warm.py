"""The build's Jupyter Book process started ahead of the render (swis.book.build.warm): it renders what the
command would, with the arguments it is given, and one never asked to render is killed."""

from __future__ import annotations

import os

from swis.book.build.warm import WarmRender, warm_render


def _tiny_book(folder):
    folder.mkdir()
    (folder / "_config.yml").write_text('title: "Tiny"\nexecute:\n  execute_notebooks: "off"\n')
    (folder / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    (folder / "intro.md").write_text("# A tiny book\n\nOne page.\n")
    return folder


def test_a_started_render_renders_with_the_arguments_it_is_given(tmp_path):
    book, log = _tiny_book(tmp_path / "book"), tmp_path / "build.log"
    with warm_render(log) as warm:
        warm.start()
        process = warm.run(["build", str(book), "--path-output", str(tmp_path / "out"), "--builder", "html"])
        assert process is not None
        assert process.wait(timeout=300) == 0
    assert "A tiny book" in (tmp_path / "out/_build/html/intro.html").read_text()
    assert "build succeeded" in log.read_text()  # its output went to the build's log


def test_a_render_never_asked_for_is_killed_and_reaped(tmp_path):
    with warm_render(tmp_path / "build.log") as warm:
        warm.start()
        pid = warm.process.pid
    assert not os.path.exists(f"/proc/{pid}")  # not left running, nor as a zombie


def test_without_a_live_process_the_caller_renders_itself(tmp_path):
    warm = WarmRender(tmp_path / "build.log")
    assert warm.run(["build", "."]) is None  # never started
    warm.start()
    warm.process.kill()
    warm.process.wait()
    assert warm.run(["build", "."]) is None  # died before it was asked
