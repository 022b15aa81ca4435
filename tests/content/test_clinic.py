"""Clinic settings reach the rendered pages, and bad settings are refused."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sphinx.errors import ConfigError

from handbook.content.clinic import DEFAULT_CLINIC, clinic_settings


def _text(app, docname: str) -> str:
    html = (app.outdir / f"{docname}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").body.get_text(" ", strip=True)


@pytest.mark.sphinx("html", testroot="clinic")
def test_default_settings_are_the_fictional_example_clinic(app):
    app.build()
    text = _text(app, "index")
    assert "Example Ketamine Clinic" in text
    assert "Call us on 555-0100" in text
    assert "Call 911 if" in text
    assert app.warning.getvalue() == ""


@pytest.mark.sphinx(
    "html",
    testroot="clinic",
    confoverrides={"handbook_clinic": {"name": "Riverside Infusion Centre", "phone": "555-0123", "emergency_number": "112"}},
)
def test_overridden_settings_reach_the_page(app):
    app.build()
    text = _text(app, "index")
    assert "Riverside Infusion Centre" in text
    assert "Call us on 555-0123" in text
    assert "Call 112 if" in text
    assert "555-0100" not in text
    assert "Local decision — confirm with the medical director" in text


def test_unknown_setting_is_refused_by_name():
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) fax"):
        clinic_settings({"fax": "555-0111"})


def test_empty_phone_is_refused():
    with pytest.raises(ConfigError, match=r"handbook_clinic\['phone'\] must not be empty"):
        clinic_settings({"phone": " "})


def test_defaults_use_fictional_555_01xx_numbers():
    for key in ("phone", "after_hours_phone"):
        assert DEFAULT_CLINIC[key].startswith("555-01")
