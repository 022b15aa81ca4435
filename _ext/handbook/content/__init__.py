"""Clinical content helpers: what pages say and how well they say it.

``clinic`` (the clinic settings and their substitutions), ``admonitions`` (the
fixed-wording boxes), ``readability`` (reading-level limits for patient guides,
with ``cmudict_lookup``) and ``traceability`` (guidance points and the matrix).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    """Register this capability's configuration values, directives and handlers."""
    from handbook.content import admonitions, clinic, readability, traceability

    clinic.setup(app)
    admonitions.setup(app)
    readability.setup(app)
    traceability.setup(app)
