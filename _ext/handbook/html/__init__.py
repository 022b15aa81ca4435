"""How the HTML site presents itself: the sidebar navigation (``navigation``),
accessibility fixes applied at build time (``a11y``), a search that ignores
accents (``search``) and the search index's stems remembered across pages
(``stems``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    """Register this capability's configuration values, directives and handlers."""
    from handbook.html import a11y, navigation, search, stems

    a11y.setup(app)
    navigation.setup(app)
    search.setup(app)
    stems.setup(app)
