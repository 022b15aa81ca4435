"""How the HTML site presents itself: the sidebar navigation (``navigation``),
accessibility fixes applied at build time (``a11y``), a search that ignores
accents (``search``), the search index's stems remembered across pages
(``stems``) and a scroll cue on tables wider than the column
(``static/handbook-tables.js`` with ``_static/handbook.css``).
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
    # search.setup adds static/ to html_static_path; the script only marks overflowing tables.
    app.add_js_file("handbook-tables.js", loading_method="defer")
