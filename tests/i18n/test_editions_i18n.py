"""Translations in published editions (issue 19): publishing, and both switchers in a browser.

A small handbook (the publishing tests' project, ``tests/editions/test_publish.py``)
gets a reviewed Spanish translation of its one guide and is published as
2026.1. The English guide then moves to 1.1 while the translation stays of 1.0:
publishing 2026.2 is refused until the translation's record accepts 1.1. In
the archive, a browser then follows the language switcher and the edition
switcher from a Spanish page of the archived edition and back.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import REPO_ROOT, serve_directory

TESTS = Path(__file__).resolve().parent.parent


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


publishing = _load("handbook_tests_publishing", TESTS / "editions" / "test_publish.py")
browsing = _load("handbook_tests_browsing", TESTS / "html" / "test_browser.py")
browser, new_context = browsing.browser, browsing.new_context  # the browser tests' fixtures

GUIDE = "patient-guides/after-your-treatment"
PO_HEADER = (
    'msgid ""\nmsgstr ""\n"Language: es\\n"\n"MIME-Version: 1.0\\n"\n'
    '"Content-Type: text/plain; charset=utf-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n\n'
)
GUIDE_PO = {
    "After your treatment": "Después de su tratamiento",
    "Do not drive until the next day. Call {{ clinic.phone }} with any question.":
        "No maneje hasta el día siguiente. Llame al {{ clinic.phone }} si tiene alguna pregunta.",
    "First approved version": "Primera versión aprobada",
    "The same advice, checked again": "Los mismos consejos, revisados otra vez",
}
RECORD = """translations:
  PG-006:
    english-version: "1.0"
    translated-by: Ana Pérez
    translated-on: 2026-11-18
    reviewed-by: Luis Gómez
    reviewer-credential: CMI-Spanish
    reviewed-on: 2026-11-19
"""


def po(entries: dict[str, str]) -> str:
    return PO_HEADER + "".join(f"msgid {json.dumps(k, ensure_ascii=False)}\nmsgstr {json.dumps(v, ensure_ascii=False)}\n\n"
                               for k, v in entries.items())


def add_spanish(repo: Path) -> None:
    spanish = repo / "locales" / "es"
    (spanish / "LC_MESSAGES" / "patient-guides").mkdir(parents=True)
    (spanish / "translations.yaml").write_text(RECORD, encoding="utf-8")
    for name in ("glossary.yaml", "LC_MESSAGES/handbook.po", "LC_MESSAGES/patient-guides/index.po"):
        shutil.copy2(REPO_ROOT / "locales" / "es" / name, spanish / name)
    (spanish / "LC_MESSAGES" / f"{GUIDE}.po").write_text(po(GUIDE_PO), encoding="utf-8")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    repo = tmp_path_factory.mktemp("publish-es") / "handbook"
    repo.mkdir()
    publishing.make_project(repo)
    add_spanish(repo)
    publishing.commit(repo, "Spanish translation of PG-006", "2026-11-20T13:00:00+00:00")
    s = {"repo": repo, "site": repo / "_site"}
    s["first"] = publishing.handbook(repo, "publish", "--edition", "2026.1")
    guide = repo / f"{GUIDE}.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "1.1"').replace(
        '  - {version: "1.0"', '  - {version: "1.1", date: 2026-12-01, summary: "The same advice, checked again"}\n'
        '  - {version: "1.0"'), encoding="utf-8")
    publishing.commit(repo, "PG-006 1.1", "2026-12-01T09:00:00+00:00")
    s["before_stale"] = publishing.snapshot(s["site"])
    s["stale"] = publishing.handbook(repo, "publish", "--edition", "2026.2")
    s["after_stale"] = publishing.snapshot(s["site"])
    register = repo / "locales" / "es" / "translations.yaml"
    register.write_text(RECORD + '    accepted-english-version: "1.1"\n', encoding="utf-8")
    publishing.commit(repo, "PG-006 es: the translation still says the same for 1.1", "2026-12-01T10:00:00+00:00")
    s["accepted"] = publishing.handbook(repo, "publish", "--edition", "2026.2")
    return s


def test_an_edition_holds_each_language(scenario):
    assert scenario["first"].returncode == 0, scenario["first"].stderr
    edition = scenario["site"] / "2026.1"
    manifest = {entry["path"] for entry in json.loads((edition / "manifest.json").read_text())["files"]}
    assert {f"{GUIDE}.html", f"es/{GUIDE}.html", "es/index.html", "es/patient-guides/index.html",
            "pdf/handouts/after-your-treatment.pdf", "es/pdf/handouts/after-your-treatment.pdf"} <= manifest
    assert not [path for path in manifest if path.startswith("es/protocols/")]
    page = BeautifulSoup((edition / "es" / f"{GUIDE}.html").read_text(encoding="utf-8"), "html.parser")
    assert "DOCUMENTATION_OPTIONS.theme_switcher_json_url = '../../switcher.json';" in str(page)
    assert page.select(".handbook-banner") == []  # reviewed, current


def test_a_stale_translation_stops_publishing(scenario):
    result = scenario["stale"]
    assert result.returncode == 1
    assert (
        "publish: refused: edition 2026.2 cannot be published:\n"
        "  - locales/es/translations.yaml:2: the es translation of PG-006 (patient-guides/after-your-treatment.md) "
        "is of version 1.0 but the English guide is at 1.1: update the translation and its review, or set "
        "accepted-english-version: \"1.1\" if the translation still says the same\n"
    ) in result.stderr
    assert scenario["after_stale"] == scenario["before_stale"]


def test_an_accepted_stale_translation_is_published_with_its_banner(scenario):
    assert scenario["accepted"].returncode == 0, scenario["accepted"].stderr
    page = BeautifulSoup((scenario["site"] / "2026.2" / "es" / f"{GUIDE}.html").read_text(encoding="utf-8"), "html.parser")
    banner = page.select_one(".handbook-banner-translation-stale")
    assert banner.get_text(" ", strip=True).startswith(
        "Esta traducción es de la versión 1.0; la versión 1.1 en inglés es la vigente.")


def _links(page, selector: str) -> list[tuple[str, str]]:
    return [tuple(link) for link in page.locator(selector).evaluate_all(
        "links => links.map(a => [a.innerText.trim(), new URL(a.href).pathname])")]


def test_switchers_in_the_published_archive(scenario, new_context):
    assert scenario["accepted"].returncode == 0
    context, traffic = new_context(**browsing.PROFILES["desktop"][0])
    page = context.new_page()
    with serve_directory(scenario["repo"]) as url:
        site = url + "_site/"
        page.goto(f"{site}2026.1/es/{GUIDE}.html")
        # The language switcher: the English page of the same (archived) edition.
        assert _links(page, "nav.handbook-language-switcher a") == [("English", f"/_site/2026.1/{GUIDE}.html")]
        # The edition switcher: the Spanish page of each edition.
        page.wait_for_function("document.querySelectorAll('.bd-header-article .version-switcher__menu a').length >= 2")
        assert _links(page, ".bd-header-article .version-switcher__menu a") == [
            ("2026.2 (current)", f"/_site/2026.2/es/{GUIDE}.html"), ("2026.1", f"/_site/2026.1/es/{GUIDE}.html")]
        banner = page.locator(".handbook-banner-archived")
        banner.wait_for()
        assert banner.inner_text().startswith("Edición archivada 2026.1 — vea la edición vigente (2026.2). Se guarda")
        assert _links(page, ".handbook-banner-archived a") == [("vea la edición vigente", f"/_site/2026.2/es/{GUIDE}.html")]
        assert browsing._describe(browsing._axe(page, traffic)) == []
        # Over to English in the same edition, and back.
        page.locator("nav.handbook-language-switcher a").click()
        page.wait_for_url(f"{site}2026.1/{GUIDE}.html")
        assert _links(page, "nav.handbook-language-switcher a") == [("Español", f"/_site/2026.1/es/{GUIDE}.html")]
        page.locator(".handbook-banner-archived").wait_for()
        page.locator("nav.handbook-language-switcher a").click()
        page.wait_for_url(f"{site}2026.1/es/{GUIDE}.html")
        # The edition switcher keeps the language.
        page.locator(".bd-header-article .version-switcher__button").click()
        page.locator(".bd-header-article .version-switcher__menu a", has_text="2026.2").click()
        page.wait_for_url(f"{site}2026.2/es/{GUIDE}.html")
        assert page.locator(".handbook-banner-translation-stale").is_visible()
        assert page.locator(".handbook-banner-archived").count() == 0
    assert traffic.external() == [] and traffic.failures == [] and traffic.errors == []
