"""Document control: every protocol and patient guide is a controlled document.

Front matter (``frontmatter``) is read into a pure model (``model``), checked
against the document-control rules (``rules``), rendered as the control panel
and banners (``render``), and wired into Sphinx by ``sphinx``. ``builddate``
gives the one build date every output uses (``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    """Register this capability's configuration values, directives and handlers."""
    from handbook.doccontrol import sphinx

    sphinx.setup(app)
