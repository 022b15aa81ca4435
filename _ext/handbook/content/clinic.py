"""Clinic settings: one block in ``conf.py`` that every page and PDF uses.

The settings reach Markdown as MyST substitutions (``{{ clinic.phone }}``),
together with the edition and build date, so a clinic adapts the handbook by
editing ``handbook_clinic`` and nothing else.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

from handbook.doccontrol.builddate import build_date

#: Every clinic setting, with the fictional example clinic's value.
DEFAULT_CLINIC = {
    "name": "Example Ketamine Clinic",
    "phone": "555-0100",
    "after_hours_phone": "555-0199",
    "emergency_number": "911",
    "address": "100 Example Street, Exampletown",
    "medical_director_title": "Medical Director",
    "base_url": "",
}


def clinic_settings(overrides: dict) -> dict:
    """Merge ``overrides`` over the defaults; refuse unknown or non-text settings."""
    unknown = sorted(set(overrides) - set(DEFAULT_CLINIC))
    if unknown:
        raise ConfigError(
            f"handbook_clinic: unknown setting(s) {', '.join(unknown)}; "
            f"known settings are {', '.join(DEFAULT_CLINIC)}"
        )
    merged = {**DEFAULT_CLINIC, **overrides}
    for key, value in merged.items():
        if not isinstance(value, str):
            raise ConfigError(f"handbook_clinic[{key!r}] must be text, not {type(value).__name__}")
    for key in ("name", "phone", "emergency_number"):
        if not merged[key].strip():
            raise ConfigError(f"handbook_clinic[{key!r}] must not be empty")
    return merged


def substitutions(config: Config) -> dict:
    """The MyST substitutions every page can use."""
    return {
        "clinic": clinic_settings(config.handbook_clinic),
        "edition": config.handbook_edition,
        "build_date": build_date(config.handbook_build_date).isoformat(),
    }


def _add_substitutions(app: Sphinx, config: Config) -> None:
    config.myst_substitutions = {**substitutions(config), **config.myst_substitutions}


def setup(app: Sphinx) -> None:
    app.add_config_value("handbook_clinic", {}, "env", dict)
    app.add_config_value("handbook_build_date", None, "env", (str, type(None)))
    app.connect("config-inited", _add_substitutions)
