"""Shared test fixtures.

Two kinds of build are tested:

* small projects under ``tests/roots/test-*/``, one per case, built with
  Sphinx's own ``sphinx.testing`` fixtures
  (``@pytest.mark.sphinx('html', testroot='clinic')``);
* the real handbook, built once per test session into a temporary directory
  by the ``handbook_html`` fixture, strictly, for tests that check the content.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.server
import threading
import shutil
from io import StringIO
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_colors

pytest_plugins = ["sphinx.testing.fixtures"]

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where ``sphinx.testing`` finds the ``test-*`` projects."""
    return Path(__file__).resolve().parent / "roots"


@dataclasses.dataclass
class HandbookBuild:
    """The real handbook built in a temporary directory."""

    outdir: Path
    doctreedir: Path
    warnings: str
    app: SphinxTestApp


def build_project(srcdir: Path, builddir: Path, buildername: str = "html", *, freshenv: bool = False,
                  **confoverrides) -> HandbookBuild:
    """Build the project at ``srcdir`` strictly (nitpicky) into ``builddir``."""
    warning = StringIO()
    app = SphinxTestApp(
        buildername,
        srcdir=srcdir,
        builddir=builddir,
        freshenv=freshenv,
        confoverrides={"nitpicky": True, **confoverrides},
        status=StringIO(),
        warning=warning,
    )
    try:
        app.build()
    finally:
        app.cleanup()
    return HandbookBuild(Path(app.outdir), Path(app.doctreedir), strip_colors(warning.getvalue()), app)


def build_handbook(builddir: Path, buildername: str = "html", **confoverrides) -> HandbookBuild:
    """Build the real handbook strictly (nitpicky) into ``builddir``."""
    return build_project(REPO_ROOT, builddir, buildername, freshenv=True, **confoverrides)


@pytest.fixture(scope="session")
def handbook_html(tmp_path_factory) -> HandbookBuild:
    """The real handbook's HTML, built once per test session."""
    return build_handbook(tmp_path_factory.mktemp("handbook"))


@pytest.fixture(scope="session")
def handbook_pdf(tmp_path_factory) -> HandbookBuild:
    """The real handbook's PDFs (``handbookpdf`` builder), built once per session.

    ``SOURCE_DATE_EPOCH`` is fixed, as ``make`` fixes it from the last commit.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1763600000")
        return build_handbook(tmp_path_factory.mktemp("handbook-pdf"), "handbookpdf")


@pytest.fixture(scope="session")
def handbook_site(handbook_html, handbook_pdf, tmp_path_factory) -> Path:
    """The site as ``make`` leaves it: the HTML, with the PDFs in ``pdf/`` where its pages link them."""
    from handbook.pdf.render import copy_pdfs

    site = tmp_path_factory.mktemp("site") / "html"
    shutil.copytree(handbook_html.outdir, site)
    copy_pdfs(handbook_pdf.outdir, site / "pdf")
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


@contextlib.contextmanager
def serve_directory(directory: Path):
    """Serve ``directory`` on 127.0.0.1 at an ephemeral port, from a thread; yield its URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
