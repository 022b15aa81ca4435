"""Local decisions: values no published source settles, kept as data in one register.

``register`` reads and checks ``reference/decisions.yaml`` and formats values
per audience and language (pure); ``rules`` holds the rules pages must follow
(pure); ``render`` the awaiting list's cells and ``decisions.json``;
``signoff`` the medical director's sign-off sheet; ``sphinx`` the roles
``{decision}`` and ``{decision-value}``, the ``decision`` box, the
``decisions-awaiting`` list, the rules' warnings and incremental rebuilds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    """Register this capability's configuration values, roles, directives and handlers."""
    from handbook.decisions import sphinx

    sphinx.setup(app)
