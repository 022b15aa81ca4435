"""Incremental builds tell the truth (issue 18).

* A page that had a warning is read and written again on the next build, so
  its warnings are reported again until their cause is fixed: a strict build
  never passes after a failing one without a fix (``sphinx.py``; which pages a
  warning belongs to is worked out in ``warned.py``).
* The output of a page that no longer exists (its HTML, its handout PDF and
  the copy the site links, its print fragments) is removed on the next build
  (``outputs.py`` says which files those are).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    """Register this capability's handlers."""
    from handbook.incremental import sphinx

    sphinx.setup(app)
