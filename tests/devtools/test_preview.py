"""``python -m handbook preview``: warm rebuilds that match a fresh build, and the server around them."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.request
from pathlib import Path

import pypdf
import pytest
from bs4 import BeautifulSoup

from handbook.devtools import preview

ROOTS = Path(__file__).resolve().parent.parent / "roots"
GUIDE = "patient-guides/getting-ready"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-pdf-basic", src)
    return src


@pytest.fixture
def warm(project: Path, tmp_path: Path):
    targets = preview.make_targets(tmp_path / "_build")
    with preview.WarmBuilds(project, targets) as builds:
        yield builds


def _text(page: Path) -> str:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return (soup.select_one("div.body") or soup).get_text(" ", strip=True)


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages)


def test_an_edit_is_rebuilt_warm_into_the_page_and_its_handout(project, warm, tmp_path):
    html, pdf_target = warm.targets
    first = warm.rebuild()
    assert [(r.builder, r.ok, r.warnings) for r in first] == [("html", True, 0), ("handbookpdf", True, 0)]
    handout = pdf_target.outdir / "handouts" / "getting-ready.pdf"
    assert "Bring a friend" in _pdf_text(handout)

    page = project / f"{GUIDE}.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "Bring a friend who can drive you home.", "Bring a friend who can drive you home. Wear warm socks."),
        encoding="utf-8")
    again = warm.rebuild()
    assert all(r.ok for r in again), again
    assert "Wear warm socks." in _text(html.outdir / f"{GUIDE}.html")
    # Only the edited guide's handout is rendered again, and the site links the new one.
    rendered = json.loads((pdf_target.outdir / "pdf-build.json").read_text(encoding="utf-8"))
    assert [entry["pdf"] for entry in rendered] == ["handouts/getting-ready.pdf"]
    assert "Wear warm socks." in _pdf_text(handout)
    assert (html.outdir / "pdf" / "handouts" / "getting-ready.pdf").read_bytes() == handout.read_bytes()


def test_the_warm_result_is_what_a_fresh_build_writes(project, warm, tmp_path):
    from conftest import build_project

    warm.rebuild()
    page = project / f"{GUIDE}.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more plain sentence.\n", encoding="utf-8")
    warm.rebuild()
    fresh = build_project(project, tmp_path / "fresh", freshenv=True)
    assert fresh.warnings == ""
    warm_html = warm.targets[0].outdir
    for docname in (GUIDE, "patient-guides/index", "index"):
        assert _text(warm_html / f"{docname}.html") == _text(fresh.outdir / f"{docname}.html"), docname


def test_a_warning_fails_the_rebuild_and_the_fix_passes_the_next(project, warm):
    assert all(r.ok for r in warm.rebuild())
    page = project / f"{GUIDE}.md"
    good = page.read_text(encoding="utf-8")
    page.write_text(good + "\nSee {doc}`no-such-page`.\n", encoding="utf-8")
    lines = len(good.splitlines()) + 2
    broken = {r.builder: r for r in warm.rebuild()}
    assert (broken["html"].ok, broken["html"].warnings) == (False, 1)
    assert broken["html"].messages == (
        f"{page}:{lines}: WARNING: unknown document: 'no-such-page' [ref.doc]",)
    summary = preview.summary(list(broken.values()), 1.0)
    assert summary.startswith("build FAILED in 1.0 s") and "html: 1 warning(s), see above" in summary
    page.write_text(good, encoding="utf-8")
    fixed = warm.rebuild()
    assert [(r.ok, r.warnings, r.messages) for r in fixed] == [(True, 0, ()), (True, 0, ())]
    assert preview.summary(fixed, 0.5).startswith("rebuilt in 0.5 s (html ")


def test_the_pdfs_are_not_copied_over_a_pdf_build_inside_the_html_folder(project, tmp_path):
    html = preview.Target("html", tmp_path / "out", tmp_path / "out" / ".doctrees")
    nested = preview.Target("handbookpdf", tmp_path / "out" / "pdf", tmp_path / "out" / "pdf" / ".doctrees")
    with preview.WarmBuilds(project, (html, nested)) as builds:
        assert all(r.ok for r in builds.rebuild())
        assert all(r.ok for r in builds.rebuild())  # its own _pages and doctrees are still there
    assert (nested.outdir / "_pages" / "rendered.json").is_file()


def test_changes_under_build_and_tool_folders_are_not_watched(tmp_path):
    root = tmp_path
    assert preview.is_watched(root / "protocols" / "a.md", root)
    assert preview.is_watched(root / "conf.py", root)
    for ignored in ("_build/html/index.html", ".venv/x.py", ".git/index", "tests/test_x.py", "_site/a"):
        assert not preview.is_watched(root / ignored, root), ignored
    assert not preview.is_watched(tmp_path.parent / "elsewhere.md", root)


def test_the_server_adds_the_reload_poller_and_reports_the_build_number(tmp_path):
    (tmp_path / "index.html").write_text("<html><body><p>Hello</p></body></html>", encoding="utf-8")
    (tmp_path / "style.css").write_text("p { color: black }", encoding="utf-8")
    handler = type("Handler", (preview._PreviewHandler,), {"build_number": [7]})
    server = preview.http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **kw: handler(*a, directory=str(tmp_path), **kw))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        page = urllib.request.urlopen(base + "/").read().decode()
        assert page.endswith(preview.RELOAD_SCRIPT + "</body></html>")
        assert urllib.request.urlopen(base + preview.BUILD_NUMBER_PATH).read() == b"7"
        assert urllib.request.urlopen(base + "/style.css").read() == b"p { color: black }"
    finally:
        server.shutdown()


def test_a_port_in_use_is_refused_with_a_message(tmp_path, capsys):
    import argparse
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        args = argparse.Namespace(source=tmp_path, builddir=tmp_path / "_build", host="127.0.0.1", port=port)
        assert preview.run(args) == 2
    assert capsys.readouterr().err == (
        f"preview: cannot serve on 127.0.0.1:{port}: Address already in use; "
        "choose another port (make preview PORT=8001, or --port 0 for any free one)\n"
    )


def test_the_command_has_help_for_every_option(capsys):
    from handbook.__main__ import main

    with pytest.raises(SystemExit):
        main(["preview", "--help"])
    text = capsys.readouterr().out
    for option in ("--source", "--builddir", "--host", "--port"):
        assert option in text
