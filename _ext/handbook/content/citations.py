"""Citations without a scan of every installed package per citation.

sphinxcontrib-bibtex asks pybtex for its plugins (the plaintext backend, the
citation style) each time it resolves a ``{cite}`` role, and pybtex looks each
one up with ``importlib.metadata.entry_points``, which reads the metadata of
every installed distribution. At 300 synthetic pages that was 6 % of a clean
build (``make bench``, pyinstrument), for the same few answers each time.

:func:`remember_entry_points` keeps each (group, name) answer for the life of
the process: installed distributions do not change during a build, and
plugins registered at run time (``pybtex.plugin.register_plugin``) are still
looked up first, by pybtex itself, on every call. The citations and the
bibliography are the same text as without it.
"""

from __future__ import annotations

import functools

from sphinx.application import Sphinx


def remember_entry_points() -> None:
    """Make ``pybtex.plugin`` look each (group, name) up among the installed entry points once.

    Idempotent. pybtex 0.26 imports ``entry_points`` into ``pybtex.plugin``
    and calls it as ``entry_points(group=..., name=...)``; that is the only call
    this replaces.
    """
    import pybtex.plugin

    if getattr(pybtex.plugin.entry_points, "_handbook_remembered", False):
        return
    lookup = pybtex.plugin.entry_points

    @functools.cache
    def _remembered(**selection: str) -> tuple:
        return tuple(lookup(**selection))

    def entry_points(**selection: str) -> tuple:
        return _remembered(**selection)

    entry_points._handbook_remembered = True
    entry_points._handbook_lookup = lookup  # what it replaced, for tests
    pybtex.plugin.entry_points = entry_points


def setup(app: Sphinx) -> None:
    remember_entry_points()
