"""Editions: publishing a tagged edition into the archive and keeping every
earlier one readable (``publish``, ``archive``, ``manifest``, ``verify``,
``site``, ``gitrepo``), what changed between editions (``changes``), and the
edition switcher and change pages on the site (``switcher``, ``static/``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    """Register this capability's configuration values, directives and handlers."""
    from handbook.editions import switcher

    switcher.setup(app)
