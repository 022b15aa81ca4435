"""How the HTML site presents itself: the sidebar navigation (``navigation``) and
accessibility fixes applied at build time (``a11y``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    """Register this capability's configuration values, directives and handlers."""
    from handbook.html import a11y, navigation

    a11y.setup(app)
    navigation.setup(app)
