"""Sphinx glue: warned pages are redone, removed pages' output is deleted.

* A handler on Sphinx's logger notes the pages of every warning (any
  subtype, Sphinx's own included) while a build runs; ``build-finished``
  writes them to ``handbook-warned.json`` in the doctree folder (the
  environment is pickled before the pages are written, so it cannot carry
  warnings given while writing). ``env-get-outdated`` hands them back on the
  next build, which reads and writes them again, and so warns again.
* ``env-get-outdated`` also notes the pages Sphinx found removed
  (``handbook-removed.json``, kept until done); ``build-finished`` deletes
  their output (``outputs``).
"""

from __future__ import annotations

import json
import logging
import weakref
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging as sphinx_logging

from handbook.incremental.outputs import html_outputs, pdf_outputs
from handbook.incremental.warned import pages_of

logger = sphinx_logging.getLogger(__name__)

WARNED_FILE = "handbook-warned.json"
REMOVED_FILE = "handbook-removed.json"

#: app -> the handler noting this build's warned pages.
_HANDLERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _WarnedPages(logging.Handler):
    """Notes the page(s) of each warning Sphinx logs."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__(logging.WARNING)
        self.app = weakref.proxy(app)
        self.locations: list = []

    def emit(self, record: logging.LogRecord) -> None:
        self.locations.append(getattr(record, "location", None))

    def pages(self) -> set[str]:
        env = self.app.env
        found: set[str] = set()
        for location in self.locations:
            found |= pages_of(location, lambda path: _page(env, path), env.dependencies, str(env.srcdir))
        return found & set(env.found_docs)


def _page(env: BuildEnvironment, path: str) -> str | None:
    """The page read from ``path``; ``None`` for any other file (an included one, conf.py)."""
    docname = env.path2doc(path)
    return docname if docname in env.found_docs else None


def _read(path: Path) -> list[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [name for name in data if isinstance(name, str)] if isinstance(data, list) else []


def _write(path: Path, names) -> None:
    names = sorted(set(names))
    if names:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(names, indent=1) + "\n", encoding="utf-8")
    else:
        path.unlink(missing_ok=True)


def start(app: Sphinx) -> None:
    """Start noting warnings (once per build; a warm ``make preview`` app builds many times)."""
    if app in _HANDLERS:
        return
    handler = _WarnedPages(app)
    logging.getLogger(sphinx_logging.NAMESPACE).addHandler(handler)
    _HANDLERS[app] = handler


def outdated(app: Sphinx, env: BuildEnvironment, added, changed, removed) -> list[str]:
    """The pages that warned on the last build (still there, not already being read)."""
    start(app)  # a warm application's next build has no builder-inited
    doctrees = Path(app.doctreedir)
    if removed:
        _write(doctrees / REMOVED_FILE, [*_read(doctrees / REMOVED_FILE), *removed])
    warned = set(_read(doctrees / WARNED_FILE)) & set(env.found_docs)
    return sorted(warned - set(added) - set(changed))


def finish(app: Sphinx, exception: Exception | None) -> None:
    """Write this build's warned pages; after a successful build, delete removed pages' output."""
    handler = _HANDLERS.pop(app, None)
    if handler is not None:
        logging.getLogger(sphinx_logging.NAMESPACE).removeHandler(handler)
    if app.env is None:
        return
    doctrees = Path(app.doctreedir)
    if handler is not None:
        # After a crash, keep every page that warned before as well.
        keep = set(_read(doctrees / WARNED_FILE)) if exception is not None else set()
        _write(doctrees / WARNED_FILE, (keep | handler.pages()) & set(app.env.found_docs))
    if exception is None:
        _remove_outputs(app)


def _remove_outputs(app: Sphinx) -> None:
    doctrees = Path(app.doctreedir)
    removed = [name for name in _read(doctrees / REMOVED_FILE) if name not in app.env.found_docs]
    builder = app.builder
    outdir = Path(builder.outdir)
    for docname in removed:
        if builder.name == "handbookpdf":
            paths = pdf_outputs(outdir, docname)
        elif builder.format == "html":
            outfile = builder.get_outfilename(docname) if hasattr(builder, "get_outfilename") else None
            paths = html_outputs(outdir, Path(outfile) if outfile else None, docname,
                                 getattr(app.config, "handbook_pdf_html_dir", "pdf"))
        else:
            paths = []
        for path in paths:
            if path.is_file():
                path.unlink()
                logger.info("removed %s (its page %s no longer exists)", path.relative_to(outdir), docname)
    (doctrees / REMOVED_FILE).unlink(missing_ok=True)


def setup(app: Sphinx) -> None:
    """Connect the handlers (``build-finished`` late, after the builders' own)."""
    app.connect("builder-inited", start)
    app.connect("env-get-outdated", outdated)
    app.connect("build-finished", finish, priority=900)
