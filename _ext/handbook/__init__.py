"""The handbook's local Sphinx extension, one subpackage per capability.

========================  ====================================================
``handbook.doccontrol``   document control: front matter, rules, control panel
``handbook.content``      clinic settings, boxes, readability, traceability
``handbook.decisions``    local decisions: the register, roles, box, rules
``handbook.links``        insecure links, internal link check, link report
``handbook.pdf``          the ``handbookpdf`` builder: handouts and staff PDF
``handbook.editions``     publishing, the archive, changes, edition switcher
``handbook.html``         how the site presents itself: navigation, a11y
``handbook.devtools``     benchmark, synthetic handbooks, warm preview
========================  ====================================================

``setup()`` registers each capability's ``setup(app)``. The pure logic of each
capability sits in plain modules beside its Sphinx glue, so it can be tested
without a build.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__version__ = "0.1.0"

#: The capabilities a Sphinx build registers, each a subpackage exposing
#: ``setup(app)``. ``devtools`` is not here: it is never part of a build.
CAPABILITIES = (
    "handbook.content",
    "handbook.doccontrol",
    "handbook.decisions",
    "handbook.links",
    "handbook.pdf",
    "handbook.editions",
    "handbook.html",
)


def setup(app: Sphinx) -> dict:
    app.add_config_value("handbook_edition", "working copy (unpublished)", "env", str)
    app.add_config_value("handbook_review_cycle_months", 36, "env", int)
    for name in CAPABILITIES:
        import_module(name).setup(app)
    return {
        "version": __version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": 1,
    }
