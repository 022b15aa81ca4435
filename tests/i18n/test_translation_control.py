"""Translation control, the glossary, untranslated text and Spanish reading level (issue 19).

Each broken case is a small project under ``tests/roots/test-i18n-*`` built in
Spanish (``language="es"``, as ``make`` builds it); each test asserts the exact
warning at its ``file:line``. The pure modules are tested without a build.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from conftest import REPO_ROOT
from handbook.i18n import catalog, control, glossary, readability_es
from handbook.i18n.catalogs import Entry, completeness
from handbook.i18n.search import fold

ROOTS = Path(__file__).resolve().parent.parent / "roots"


def warnings_of(app) -> list[str]:
    """The build's warnings, paths relative to the project."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())
    return [line.replace(str(app.srcdir) + "/", "") for line in text.splitlines() if "WARNING" in line]


# -- stale and draft banners, publishing --------------------------------------------------


@pytest.mark.sphinx("html", testroot="i18n-stale", confoverrides={"language": "es"})
def test_stale_translation_shows_its_banner(app):
    app.build()
    assert warnings_of(app) == []
    soup = BeautifulSoup((Path(app.outdir) / "patient-guides" / "leaving.html").read_text(encoding="utf-8"), "html.parser")
    banner = soup.select_one(".handbook-banner-translation-stale")
    assert banner["role"] == "note"
    assert banner.get_text(" ", strip=True) == (
        "Esta traducción es de la versión 1.0; la versión 1.1 en inglés es la vigente. "
        "Lea la versión vigente en inglés .")
    assert banner.a["href"] == "../../patient-guides/leaving.html"
    assert soup.select_one(".handbook-banner-translation-draft") is None  # reviewed
    # The history added after translation is Spanish too; a link to a protocol leads to English.
    history = soup.select_one("#change-history").get_text(" ", strip=True)
    assert "1.1 20 de noviembre de 2026 Descansar en casa" in history
    assert soup.select_one(".handbook-for-staff a")["href"] == "../../protocols/discharge.html"
    current = BeautifulSoup((Path(app.outdir) / "patient-guides" / "care.html").read_text(encoding="utf-8"), "html.parser")
    assert current.select(".handbook-banner") == []  # reviewed, of the English version in force


def test_publishing_refuses_a_stale_translation_unless_accepted(tmp_path):
    srcdir = tmp_path / "src"
    shutil.copytree(ROOTS / "test-i18n-stale", srcdir)
    assert control.translation_problems(srcdir) == [
        "locales/es/translations.yaml:2: the es translation of PG-001 (patient-guides/leaving.md) is of version "
        "1.0 but the English guide is at 1.1: update the translation and its review, or set "
        "accepted-english-version: \"1.1\" if the translation still says the same"
    ]
    register = srcdir / "locales" / "es" / "translations.yaml"
    register.write_text(register.read_text(encoding="utf-8").replace(
        '  PG-001:\n    english-version: "1.0"\n', '  PG-001:\n    english-version: "1.0"\n    accepted-english-version: "1.1"\n'),
        encoding="utf-8")
    assert control.translation_problems(srcdir) == []


def test_states():
    record = control.Translation("PG-001", "1.0", "A", None, "B", "CMI-Spanish", dt.date(2026, 11, 18), "", 2)
    assert control.state(record, "1.0") == "current"
    assert control.state(record, "1.1") == "stale"
    assert control.state(control.Translation(**{**record.__dict__, "accepted_english_version": "1.1"}), "1.1") == "accepted"
    assert control.state(control.Translation(**{**record.__dict__, "reviewed_on": None}), "1.0") == "draft"
    assert control.state(None, "1.0") == "missing"


@pytest.mark.sphinx("html", testroot="i18n-register", confoverrides={"language": "es"})
def test_register_mistakes_are_reported_at_their_line(app):
    app.build()
    assert warnings_of(app) == [
        "locales/es/translations.yaml:5: WARNING: PG-001: a review needs reviewed-by, reviewer-credential, "
        "reviewed-on; missing reviewer-credential (until then the translation is a draft) [handbook.translation]",
        "locales/es/translations.yaml:8: WARNING: PG-404: english-version must be the quoted English version it "
        "translates, e.g. \"1.0\", not 1.0 [handbook.translation]",
        "locales/es/translations.yaml:9: WARNING: PG-405 is not a guide in patient-guides: remove its record or "
        "fix the id [handbook.translation]",
    ]
    soup = BeautifulSoup((Path(app.outdir) / "patient-guides" / "care.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.select_one(".handbook-banner-translation-draft")  # half a review is no review


# -- untranslated text, glossary, reading level ----------------------------------------------


@pytest.mark.sphinx("html", testroot="i18n-untranslated", confoverrides={"language": "es"})
def test_untranslated_and_fuzzy_entries_warn_at_the_page_line(app):
    app.build()
    assert warnings_of(app) == [
        "patient-guides/care.md:18: WARNING: not translated into es: 'Sleep well.' is marked fuzzy in "
        "locales/es/LC_MESSAGES/patient-guides/care.po:32 (the English changed): check the translation and "
        "remove the fuzzy flag [handbook.translation]",
        "patient-guides/care.md:20: WARNING: not translated into es: 'Call us with any question.'; translate it "
        "in locales/es/LC_MESSAGES/patient-guides/care.po (make translations-update adds new text) [handbook.translation]",
    ]
    done = completeness(Path(app.srcdir) / "locales" / "es" / "LC_MESSAGES" / "patient-guides" / "care.po")
    assert (done.total, [e.msgid for e in done.untranslated], [e.msgid for e in done.fuzzy]) == (
        5, ["Call us with any question."], ["Sleep well."])


@pytest.mark.sphinx("html", testroot="i18n-glossary", confoverrides={"language": "es"})
def test_every_glossary_rule_fires_at_the_po_line(app):
    app.build()
    po = "locales/es/LC_MESSAGES/patient-guides/medicines.po"
    assert warnings_of(app) == [
        f'{po}:27: WARNING: "drogas" means street drugs in everyday Spanish: for medicines write "medicamentos" '
        "[drogas] [handbook.glossary]",
        f'{po}:35: WARNING: "infusión" alone reads as an herbal tea: explain it the first time, e.g. '
        '"tratamiento por la vena (infusión intravenosa)" [infusion] [handbook.glossary]',
        f'{po}:39: WARNING: "off-label" is legal: write "uso fuera de lo indicado en la etiqueta" or "uso no '
        'aprobado por la FDA para esta enfermedad", never "ilegal" [off-label] [handbook.glossary]',
        f'{po}:43: WARNING: "mañana" alone can mean "tomorrow" or "morning": write "el día siguiente" (tomorrow) '
        'or "por la mañana" (morning) [manana] [handbook.glossary]',
        f"{po}:51: WARNING: 988 must appear unchanged in the translation [numbers-and-settings] [handbook.glossary]",
        f"{po}:51: WARNING: {{{{ clinic.phone }}}} must appear unchanged in the translation [numbers-and-settings] "
        "[handbook.glossary]",
    ]
    lines = (Path(app.srcdir) / po).read_text(encoding="utf-8").splitlines()
    assert lines[26] == 'msgid "Bring your medicines."'  # line 27: the msgid of the broken entry
    assert lines[30] == 'msgid "Street drugs are dangerous."'  # "drogas de la calle" is right there


def entry(msgid: str, msgstr: str, line: int = 1) -> Entry:
    return Entry(msgid, msgstr, False, line, None)


def test_glossary_rules_of_the_real_handbook():
    rules = glossary.read_rules(REPO_ROOT / "locales" / "es" / "glossary.yaml",
                                {"phone": "555-0100", "after_hours_phone": "555-0199", "name": "Example Ketamine Clinic"})
    check = lambda *entries: [f.rule for f in glossary.check(list(entries), rules)]  # noqa: E731
    assert check(entry("Bring your medicines.", "Traiga sus medicamentos.")) == []
    assert check(entry("Avoid street drugs.", "Evite las drogas.")) == []
    explained = entry("The infusion.", "El tratamiento por la vena (infusión intravenosa).", 1)
    assert check(explained, entry("After the infusion.", "Después de la infusión.", 2)) == []
    assert check(entry("After the infusion.", "Después de la infusión.", 2), explained) == ["infusion"]
    assert check(entry("in the morning", "por la mañana"), entry("mornings", "las mañanas")) == []
    assert check(entry("Call 555-0100.", "Llame al 555-0101.")) == ["numbers-and-settings"]
    assert check(entry("Use {decision}`LD-001`.", "Use {decision}`LD-001`.")) == []
    assert check(entry("Use {decision}`LD-001`.", "Use 6 horas.")) == ["numbers-and-settings"]
    assert check(entry("Ketamine for pain is off-label.", "Es uso fuera de lo indicado en la etiqueta.")) == []


def test_a_broken_glossary_names_its_line():
    with pytest.raises(glossary.GlossaryError) as error:
        glossary.parse_rules("rules:\n  - id: a\n    forbid: 'x'\n    message: m\n  - id: b\n    forbid: '('\n"
                             "    message: m\n", {})
    assert error.value.line == 5 and "rule b: forbid '(' is not a valid regular expression" in str(error.value)
    with pytest.raises(glossary.GlossaryError, match=r"\{clinic.fax\} is not a clinic setting"):
        glossary.parse_rules("rules:\n  - id: a\n    keep: ['{clinic.fax}']\n    message: m\n", {"phone": "1"})


@pytest.mark.sphinx("html", testroot="i18n-readability", confoverrides={"language": "es"})
def test_hard_spanish_is_below_the_reading_level_limit(app):
    app.build()
    assert warnings_of(app) == [
        "patient-guides/care.md:14: WARNING: reading level in es is -36.1 (Szigriszt-Pazos (INFLESZ), muy difícil), "
        "below the limit of 65.0: use shorter sentences and everyday words [handbook.readability]",
    ]


def test_spanish_readability_formulas():
    # 13 words, 26 syllables (pylabeador), 2 sentences.
    text = ["Llame al 911 si tiene problemas para respirar.", "No maneje hasta el día siguiente."]
    score = readability_es.readability(text)
    assert (score.words, score.syllables, score.sentences) == (13, 26, 2)
    assert score.score == round(206.835 - 62.3 * 26 / 13 - 13 / 2, 1) == 75.7
    assert score.band == "bastante fácil"
    huerta = readability_es.readability(text, "fernandez-huerta")
    assert huerta.score == round(206.84 - 0.60 * 200 - 1.02 * 6.5, 1)
    assert readability_es.syllables("infusión") == 3 and readability_es.syllables("día") == 2
    assert readability_es.syllables("oído") == 3  # hiatus: o-í-do, where a hyphenation dictionary says 2
    assert [readability_es.band(s) for s in (85, 70, 60, 45, 10)] == [
        "muy fácil", "bastante fácil", "normal", "algo difícil", "muy difícil"]
    assert readability_es.plain_text("Lea **esto** y [la guía](x.md).") == "Lea esto y la guía."


# -- the handbook catalog --------------------------------------------------------------------


def test_handbook_template_is_up_to_date(tmp_path):
    from handbook.i18n.commands import extract

    fresh = tmp_path / "handbook.pot"
    extract(catalog.TEMPLATE.parent.parent.parent, fresh)
    assert fresh.read_text(encoding="utf-8") == catalog.TEMPLATE.read_text(encoding="utf-8"), (
        "run: python -m handbook translations extract")


def test_spanish_handbook_catalog_translates_every_message_with_the_same_placeholders():
    with catalog.TEMPLATE.open("rb") as handle:
        template = read_po(handle)
    with (catalog.PACKAGE_LOCALES / "es" / "LC_MESSAGES" / "handbook.po").open("rb") as handle:
        spanish = read_po(handle)
    for message in template:
        if not message.id:
            continue
        translated = spanish.get(message.id)
        assert translated is not None and translated.string and not translated.fuzzy, message.id
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        for text in strings:
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", ids[-1])), (message.id, text)


def test_dates_in_the_readers_language():
    assert catalog.format_date(dt.date(2026, 11, 16), "en") == "2026-11-16"
    assert catalog.format_date(dt.date(2026, 11, 16), "es") == "16 de noviembre de 2026"
    assert catalog.format_date("2026-01-05", "es") == "5 de enero de 2026"


def test_accents_are_folded_but_not_the_enye():
    assert [fold(w) for w in ("Medicación", "después", "pingüino", "año")] == ["medicacion", "despues", "pinguino", "año"]


# -- the command ---------------------------------------------------------------------------


def test_translations_status_reports_each_guide(tmp_path):
    srcdir = tmp_path / "src"
    shutil.copytree(ROOTS / "test-i18n-untranslated", srcdir)
    result = subprocess.run([sys.executable, "-m", "handbook", "translations", "status", "--check", "--source", str(srcdir)],
                            capture_output=True, text=True, env={"PYTHONPATH": str(REPO_ROOT / "_ext"), "PATH": ""})
    assert result.returncode == 1
    assert result.stdout == (
        "es: locales/es/translations.yaml\n"
        "  PG-001 patient-guides/care: draft; 3/5 translated, 1 untranslated (first at "
        "locales/es/LC_MESSAGES/patient-guides/care.po:36), 1 fuzzy (first at locales/es/LC_MESSAGES/patient-guides/care.po:32)\n"
    )
    assert "translations: 2 problem(s)" in result.stderr


# -- decisions, and a second language with no code ------------------------------------------------


@pytest.mark.sphinx("html", testroot="i18n-decisions", confoverrides={"language": "es"})
def test_decisions_print_with_spanish_units_and_wording(app):
    app.build()
    assert warnings_of(app) == []
    soup = BeautifulSoup((Path(app.outdir) / "patient-guides" / "getting-ready.html").read_text(encoding="utf-8"), "html.parser")
    decisions = [node.get_text() for node in soup.select(".handbook-decision")]
    assert decisions == ["No coma nada durante 6 horas antes de su tratamiento", "2 horas", "1 día"]
    paragraphs = [p.get_text(" ", strip=True) for p in soup.select("section > p")]
    assert "Deje de tomar líquidos claros 2 horas antes." in paragraphs
    # An English draft is a draft in Spanish too, above the translation's own banner.
    banners = [b.get_text(" ", strip=True)[:40] for b in soup.select(".handbook-banner")]
    assert banners == ["Borrador — no es para uso clínico. La ve", "Traducción en borrador — un traductor mé"]


@pytest.mark.sphinx("html", testroot="i18n-vietnamese", confoverrides={"language": "vi"})
def test_a_second_language_needs_no_code(app):
    """Vietnamese from conf.py and locales/vi/ alone: the clinic's catalog translates the box title."""
    app.build()
    assert warnings_of(app) == []
    soup = BeautifulSoup((Path(app.outdir) / "patient-guides" / "care.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.html["lang"] == "vi"
    assert soup.select_one(".admonition-title").get_text(strip=True) == "Gọi 911 nếu"
    assert soup.select_one("a.handbook-pdf-link").get_text(strip=True) == "In hướng dẫn này (PDF)"
    switcher = soup.select_one("nav.handbook-language-switcher")
    assert switcher.get_text(" ", strip=True) == "Ngôn ngữ: Tiếng Việt · English"
    assert "16 tháng 11, 2026" in soup.select_one(".handbook-doc-control").get_text(" ", strip=True)


@pytest.mark.sphinx("html", testroot="i18n-decision-wording", confoverrides={"language": "es"})
def test_a_decision_without_spanish_wording_warns_at_the_po_line(app):
    app.build()
    assert warnings_of(app) == [
        "locales/es/LC_MESSAGES/patient-guides/getting-ready.po:28: WARNING: {decision}`LD-001` has an English "
        "patient wording but none in es, so it prints the value alone: add wording.es.patient to "
        "reference/decisions.yaml, or write the sentence here around {decision-value}`LD-001` [handbook.translation]",
        # A text value is English words: a translation needs its own (LD-005 has one, LD-004 not).
        "locales/es/LC_MESSAGES/patient-guides/getting-ready.po:48: WARNING: {decision-value}`LD-004` prints a text "
        "value, which is English: add wording.es.value to reference/decisions.yaml [handbook.translation]",
    ]
    html = (app.outdir / "patient-guides" / "getting-ready.html").read_text(encoding="utf-8")
    assert "una persona adulta y sobria que se queda hasta el día siguiente por la mañana" in html
    assert "a sober adult" not in html


@pytest.mark.sphinx("html", testroot="i18n-checklist", confoverrides={"language": "es"})
def test_translated_checklist_items_keep_their_tick_boxes(app):
    """Sphinx's Locale transform replaces a translated paragraph, MyST's raw checkbox with it."""
    app.build()
    soup = BeautifulSoup((app.outdir / "patient-guides" / "getting-ready.html").read_text(encoding="utf-8"),
                         "html.parser")
    items = soup.select("li.task-list-item")
    assert [item.get_text(" ", strip=True) for item in items] == [
        "Comí mi última comida a tiempo.", "Tengo quién me lleve a casa.", "555"]
    boxes = [item.find("input", type="checkbox") for item in items]
    assert all(box is not None for box in boxes)
    assert [box.has_attr("checked") for box in boxes] == [False, True, False]
    # Still labelled by the item's text (handbook.html.a11y), translated or not.
    assert all(item.find("label", class_="handbook-task-label") for item in items)
