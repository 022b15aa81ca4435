"""``python -m handbook preview``: the site and the handouts, rebuilt warm on every save.

``make livehtml`` (sphinx-autobuild) starts a new ``sphinx-build`` for each
change, and a handout needs a second one for its PDF: each start imports
Sphinx, the theme and WeasyPrint and loads the saved environment again, about
two seconds of a one-page edit at 300 pages before any page is written.

Here two worker processes each keep one Sphinx application in memory, one for
the HTML site and one for the ``handbookpdf`` builder, and rebuild
incrementally when asked: both at once (a core each), with the same strict
options as ``make`` (``-n -W --keep-going``), into the same folders, so
``make`` and ``preview`` can take turns. After each rebuild the PDFs are
copied where the pages' "Print" links point, and open browser tabs reload.

:class:`WarmBuilds` is the machinery (also used by ``make bench``);
:func:`run` adds the file watcher and a small web server on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import multiprocessing
import sys
import threading
import time
from pathlib import Path

#: Folders under the project whose changes do not touch the handbook.
IGNORED_DIRS = ("_build", "_site", ".venv", ".git", "tests", "__pycache__", ".pytest_cache")
#: Where a page asks for the build number; a new number makes it reload.
BUILD_NUMBER_PATH = "/__handbook_preview__/build"
RELOAD_SCRIPT = (
    "<script>(function(){var seen=null;function poll(){fetch('%s',{cache:'no-store'})"
    ".then(function(r){return r.text()}).then(function(n){if(seen!==null&&n!==seen){location.reload()}"
    "seen=n}).catch(function(){}).finally(function(){setTimeout(poll,700)})}poll()})();</script>"
    % BUILD_NUMBER_PATH
)


@dataclasses.dataclass(frozen=True)
class Target:
    """One builder's folders: what ``sphinx-build -b <builder> <src> <outdir> -d <doctreedir>`` uses."""

    builder: str
    outdir: Path
    doctreedir: Path


@dataclasses.dataclass(frozen=True)
class BuildResult:
    builder: str
    ok: bool
    seconds: float
    warnings: int
    error: str = ""
    #: The warnings as Sphinx printed them (without colours), for callers that
    #: show or check them; they also went to the worker's standard error.
    messages: tuple[str, ...] = ()


def make_targets(builddir: Path) -> tuple[Target, Target]:
    """The folders ``make html`` and ``make pdf`` use under ``builddir``."""
    return (
        Target("html", builddir / "html", builddir / "doctrees"),
        Target("handbookpdf", builddir / "pdf", builddir / "pdf" / ".doctrees"),
    )


# -- Worker side: one Sphinx application kept warm -------------------------------


class _Tee:
    """A warning stream that prints to standard error and keeps this build's text."""

    def __init__(self) -> None:
        self.kept: list[str] = []

    def write(self, text: str) -> int:
        self.kept.append(text)
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def take(self) -> tuple[str, ...]:
        from sphinx.util.console import strip_colors

        text, self.kept = "".join(self.kept), []
        return tuple(line for line in strip_colors(text).splitlines() if line.strip())


class _WarmApp:
    """A Sphinx application built again and again in one process."""

    def __init__(self, srcdir: Path, target: Target, confoverrides: dict) -> None:
        from sphinx.application import Sphinx
        from sphinx.util.docutils import docutils_namespace, patch_docutils

        self._stack = contextlib.ExitStack()
        self._stack.enter_context(patch_docutils(srcdir))
        self._stack.enter_context(docutils_namespace())
        self.warnings = _Tee()
        self.app = Sphinx(
            srcdir, srcdir, target.outdir, target.doctreedir, target.builder,
            confoverrides={"nitpicky": True, **confoverrides},
            status=None, warning=self.warnings, warningiserror=True,
        )

    def build(self) -> BuildResult:
        app = self.app
        # Sphinx counts warnings for the life of the application; each rebuild
        # is judged on its own, as a new sphinx-build would be.
        app._warncount = 0
        app.statuscode = 0
        self.warnings.take()
        started = time.perf_counter()
        try:
            app.build()
        except Exception as error:  # noqa: BLE001 - reported to the user, the worker goes on
            return BuildResult(app.builder.name, False, time.perf_counter() - started, app._warncount, repr(error),
                               self.warnings.take())
        return BuildResult(app.builder.name, app.statuscode == 0, time.perf_counter() - started, app._warncount,
                           messages=self.warnings.take())


def _serve_builds(conn, srcdir: Path, target: Target, confoverrides: dict) -> None:
    """Worker loop: build on each ``"build"`` message, stop on ``"stop"``."""
    import logging

    # A theme dependency (a11y_pygments) calls logging.basicConfig() at import,
    # which would print WeasyPrint's every layout step here; sphinx-build
    # does not show them either. Sphinx's own messages have their own handlers.
    logging.getLogger().addHandler(logging.NullHandler())
    warm = None
    while True:
        message = conn.recv()
        if message == "stop":
            return
        if warm is None:
            try:
                warm = _WarmApp(srcdir, target, confoverrides)
            except Exception as error:  # noqa: BLE001 - a broken conf.py: say so, try again next save
                conn.send(BuildResult(target.builder, False, 0.0, 0, repr(error)))
                continue
        result = warm.build()
        if result.error:
            warm = None  # a crashed build leaves the environment half-updated: start afresh next time
        conn.send(result)


# -- Main side -------------------------------------------------------------------


class WarmBuilds:
    """The HTML site and the PDFs, each in a warm worker process, rebuilt together."""

    def __init__(self, srcdir: Path, targets: tuple[Target, ...], *, pdf_html_dir: str = "pdf",
                 confoverrides: dict | None = None) -> None:
        self.srcdir = Path(srcdir).resolve()
        self.targets = targets
        self._copy = self._pdf_copy(targets, pdf_html_dir)
        context = multiprocessing.get_context("spawn")
        self._workers = []
        for target in targets:
            parent, child = context.Pipe()
            process = context.Process(
                target=_serve_builds, args=(child, self.srcdir, target, dict(confoverrides or {})),
                name=f"handbook-preview-{target.builder}", daemon=True,
            )
            process.start()
            self._workers.append((target, parent, process))

    def rebuild(self) -> list[BuildResult]:
        """Rebuild every target at once; then put the PDFs where the HTML links them."""
        for _, conn, _ in self._workers:
            conn.send("build")
        results = [conn.recv() for _, conn, _ in self._workers]
        if self._copy and all(r.ok for r in results if r.builder == "handbookpdf"):
            from handbook.pdf.render import copy_pdfs

            copy_pdfs(*self._copy)
        return results

    @staticmethod
    def _pdf_copy(targets: tuple[Target, ...], pdf_html_dir: str) -> tuple[Path, Path] | None:
        """(PDF build, ``<html>/pdf``) when both are built here, else None.

        Copying replaces ``<html>/pdf``: never when the PDF build itself lives there.
        """
        builders = {target.builder: target for target in targets}
        if "html" not in builders or "handbookpdf" not in builders:
            return None
        source = builders["handbookpdf"].outdir.resolve()
        dest = (builders["html"].outdir / pdf_html_dir).resolve()
        return None if dest == source or dest in source.parents else (source, dest)

    def close(self) -> None:
        for _, conn, process in self._workers:
            with contextlib.suppress(OSError):
                conn.send("stop")
        for _, _, process in self._workers:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()

    def __enter__(self) -> WarmBuilds:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def summary(results: list[BuildResult], seconds: float) -> str:
    """One line for the terminal: ``rebuilt in 1.2 s (html 0.9 s, handbookpdf 1.1 s)``."""
    parts = ", ".join(f"{r.builder} {r.seconds:.1f} s" for r in results)
    failed = [r for r in results if not r.ok]
    if not failed:
        return f"rebuilt in {seconds:.1f} s ({parts})"
    problems = "; ".join(
        f"{r.builder}: {r.error or f'{r.warnings} warning(s), see above'}" for r in failed
    )
    return f"build FAILED in {seconds:.1f} s ({parts}): {problems}"


# -- The preview server ----------------------------------------------------------


def is_watched(path: Path, root: Path) -> bool:
    """Whether a change at ``path`` should rebuild the handbook."""
    try:
        parts = Path(path).resolve().relative_to(root).parts
    except ValueError:
        return False
    return bool(parts) and not any(part in IGNORED_DIRS or part.startswith(".") for part in parts)


def add_reload_script(html: bytes) -> bytes:
    """The page with the reload poller just before ``</body>``."""
    marker = b"</body>"
    index = html.rfind(marker)
    script = RELOAD_SCRIPT.encode()
    return html[:index] + script + html[index:] if index >= 0 else html + script


class _PreviewHandler(http.server.SimpleHTTPRequestHandler):
    build_number = [0]

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        if self.path.split("?")[0] == BUILD_NUMBER_PATH:
            return self._send(str(self.build_number[0]).encode(), "text/plain")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            return self._send(add_reload_script(path.read_bytes()), "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the http.server API
        pass  # the terminal shows rebuilds, not every request


HELP = "preview while editing: rebuild the HTML and the changed PDFs warm on every save, and reload the browser"


def add_arguments(parser) -> None:
    parser.add_argument("--source", type=Path, default=Path("."), help="the handbook sources (default: .)")
    parser.add_argument("--builddir", type=Path, default=Path("_build"),
                        help="where make builds: HTML in BUILDDIR/html, PDFs in BUILDDIR/pdf (default: _build)")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="port to serve on; 0 picks a free one (default: %(default)s)")


def run(args) -> int:
    import watchfiles

    root = args.source.resolve()
    html, pdf = make_targets(args.builddir.resolve())
    html.outdir.mkdir(parents=True, exist_ok=True)
    handler = type("Handler", (_PreviewHandler,), {"build_number": [0]})
    try:
        server = http.server.ThreadingHTTPServer(
            (args.host, args.port), lambda *a, **kw: handler(*a, directory=str(html.outdir), **kw)
        )
    except OSError as error:
        print(f"preview: cannot serve on {args.host}:{args.port}: {error.strerror or error}; "
              f"choose another port (make preview PORT=8001, or --port 0 for any free one)", file=sys.stderr)
        return 2
    host, port = server.server_address[:2]
    with WarmBuilds(root, (html, pdf)) as builds:
        print(f"preview: first build of {root} ...", flush=True)
        started = time.perf_counter()
        print("preview: " + summary(builds.rebuild(), time.perf_counter() - started), flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(f"preview: serving http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
        try:
            for changes in watchfiles.watch(root, watch_filter=lambda _, path: is_watched(Path(path), root)):
                names = sorted({Path(p).relative_to(root).as_posix() for _, p in changes})
                print(f"preview: changed {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}", flush=True)
                started = time.perf_counter()
                results = builds.rebuild()
                handler.build_number[0] += 1
                print("preview: " + summary(results, time.perf_counter() - started), flush=True)
        except KeyboardInterrupt:
            print("preview: stopped", flush=True)
        finally:
            server.shutdown()
    return 0
