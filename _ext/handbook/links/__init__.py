"""Links: insecure links refused at build time (``insecure``), every internal
link of the built site checked (``checklinks``), and the external link-check
report (``linkreport``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    """Register this capability's configuration values, directives and handlers."""
    from handbook.links import insecure

    insecure.setup(app)
