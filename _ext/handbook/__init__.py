"""The handbook's local Sphinx extension.

``setup()`` registers every configuration value, directive, transform and
event handler the handbook needs. Each feature lives in its own module with a
``setup(app)`` of its own; the pure logic sits in plain functions beside the
Sphinx glue so it can be tested without a build.
"""

from __future__ import annotations

from importlib import import_module

from sphinx.application import Sphinx

__version__ = "0.1.0"

# Feature modules, each exposing ``setup(app)``. Order matters only where a
# module's event handlers must run before another's (none do today).
FEATURE_MODULES = (
    "handbook.clinic",
    "handbook.admonitions",
    "handbook.doccontrol",
    "handbook.links",
    "handbook.readability",
    "handbook.traceability",
    "handbook.pdfbuilder",
    "handbook.editions",
    "handbook.a11y",
    "handbook.navigation",
)


def setup(app: Sphinx) -> dict:
    app.add_config_value("handbook_edition", "working copy (unpublished)", "env", str)
    app.add_config_value("handbook_review_cycle_months", 36, "env", int)
    for name in FEATURE_MODULES:
        import_module(name).setup(app)
    return {
        "version": __version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": 1,
    }
