"""Print: the ``handbookpdf`` builder (``builder``) renders each patient guide as
a handout and the protocols as the staff handbook, through WeasyPrint and the
light print templates in ``templates/`` (``render``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    """Register this capability's configuration values, directives and handlers."""
    from handbook.pdf import builder

    builder.setup(app)
