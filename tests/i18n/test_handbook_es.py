"""The real handbook in Spanish (issue 19): HTML and PDFs of every translated guide.

Built once per module, strictly, exactly as ``make`` builds a language
(``-D language=es``). A guide counts as translated when
``locales/es/translations.yaml`` records it; these tests check every such
guide has no English left (a small English stop-word check: names and numbers
are allowed), and that everything around the text (box titles, banners,
dates, the panel, the print link, PDF header and footer) is Spanish too.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pikepdf
import pypdf
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import REPO_ROOT
from handbook.doccontrol.frontmatter import read_front_matter
from handbook.i18n.search import fold

#: Words that are English and not Spanish: one of them in a Spanish page is English left over.
#: ("he" is not here: "he usado" is Spanish, the first person of haber.)
ENGLISH_WORDS = frozenset("""
    the and you your yours to of is are if with for this that what when will can after before we us our
    please call do does not have has it be on in or at by from an as was were should must take may any
    about into than then there their they them she his her who which would could how why where
    print guide page version effective review owner approver draft status change history summary date
""".split())


def english_words(text: str) -> list[str]:
    """The English stop words in ``text`` (case-insensitive, whole words; "CC BY", a licence's name, aside)."""
    text = text.replace("CC BY", "")
    return [word for word in re.findall(r"[^\W\d_]+", text) if word.lower() in ENGLISH_WORDS]


def translated_guides() -> dict[str, str]:
    """docname -> id of every guide the Spanish register records."""
    records = yaml.safe_load((REPO_ROOT / "locales" / "es" / "translations.yaml").read_text(encoding="utf-8"))
    ids = set(records["translations"])
    found = {}
    for path in sorted((REPO_ROOT / "patient-guides").glob("*.md")):
        front = read_front_matter(path)
        if front and front.data.get("id") in ids:
            found[f"patient-guides/{path.stem}"] = front.data["id"]
    return found


GUIDES = translated_guides()


@pytest.fixture(scope="module")
def site_es(handbook_translations):
    build = handbook_translations["es"][0]
    assert build.warnings == "", build.warnings
    return build.outdir


@pytest.fixture(scope="module")
def pdf_es(handbook_translations):
    build = handbook_translations["es"][1]
    assert build.warnings == "", build.warnings
    return build.outdir


def article(site: Path, docname: str) -> BeautifulSoup:
    soup = BeautifulSoup((site / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
    return soup


def test_at_least_two_guides_are_translated():
    assert {"patient-guides/warning-signs", "patient-guides/after-your-treatment"} <= set(GUIDES)


def test_spanish_site_holds_the_translated_guides_only(site_es):
    pages = sorted(p.relative_to(site_es).as_posix() for p in site_es.rglob("*.html") if "_static" not in p.parts)
    expected = {f"{d}.html" for d in GUIDES} | {"patient-guides/index.html", "index.html", "search.html"}
    assert set(pages) == expected
    assert not (site_es / "protocols").exists()
    redirect = BeautifulSoup((site_es / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert redirect.html["lang"] == "es"
    assert redirect.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=patient-guides/index.html"


@pytest.mark.parametrize("docname", sorted(GUIDES))
def test_spanish_page_has_no_english_left(site_es, docname):
    soup = article(site_es, docname)
    assert soup.html["lang"] == "es"
    main = soup.select_one("article.bd-article")
    for switcher in main.select("nav.handbook-language-switcher"):
        switcher.decompose()  # names each language in its own language: "English"
    text = main.get_text(" ", strip=True)
    assert english_words(text) == [], text
    # Around the text: the theme's own words come from its Spanish catalog.
    chrome = " ".join(node.get_text(" ", strip=True) for node in soup.select(".bd-header-article, .bd-sidebar-secondary, footer"))
    assert english_words(chrome) == [], chrome


def spanish_date(value) -> str:
    """A front-matter date as the Spanish pages print it: ``16 de noviembre de 2026``."""
    from babel.dates import format_date

    return format_date(value, "long", locale="es")


def call_boxes(docname: str) -> tuple[bool, bool]:
    """Whether the English guide has the "Call 911 if" and the "Call us if" boxes."""
    text = (REPO_ROOT / f"{docname}.md").read_text(encoding="utf-8")
    emergency = "{call-emergency}" in text or "emergency-list.md" in text
    return emergency, "{call-clinic}" in text


@pytest.mark.parametrize("docname", sorted(GUIDES))
def test_everything_around_the_text_is_spanish(site_es, docname):
    main = article(site_es, docname).select_one("article.bd-article")
    titles = [t.get_text(" ", strip=True) for t in main.select(".admonition-title")]
    emergency, clinic = call_boxes(docname)
    assert ("Llame al 911 si" in titles) == emergency, titles
    assert ("Llámenos al 555-0100 si" in titles) == clinic, titles
    if clinic:
        footer = main.select_one(".call-clinic .box-footer").get_text(" ", strip=True)
        assert footer == "Example Ketamine Clinic: 555-0100. Fuera de horario: 555-0199."
    front = read_front_matter(REPO_ROOT / f"{docname}.md").data
    panel = {dt.get_text(strip=True): dd.get_text(" ", strip=True)
             for dt, dd in zip(main.select(".handbook-doc-control dt"), main.select(".handbook-doc-control dd"))}
    assert panel["Vigente desde"] == spanish_date(front["effective"])
    assert panel["Revisar antes del"] == spanish_date(front["review-by"])
    assert panel["Responsable"] == "Responsable de educación para pacientes"
    assert main.select_one(".handbook-doc-control")["aria-label"] == "Control del documento"
    link = main.select_one("a.handbook-pdf-link")
    assert link.get_text(strip=True) == "Imprimir esta guía (PDF)"
    assert link["href"] == f"../pdf/handouts/{docname.rsplit('/', 1)[1]}.pdf"
    history = main.select_one("#change-history")
    assert history.h2.get_text(strip=True).rstrip("#¶") == "Historial de cambios"
    assert spanish_date(front["history"][0]["date"]) in history.get_text(" ", strip=True)
    staff = main.select_one(".handbook-for-staff")
    assert staff.get_text(" ", strip=True).startswith("Para el personal:")
    # Staff protocols stay English: their links lead to the English site of the same edition.
    assert all(a["href"].startswith("../../protocols/") for a in staff.select("a"))


@pytest.mark.parametrize("docname", sorted(GUIDES))
def test_unreviewed_translation_carries_the_spanish_draft_banner(site_es, docname):
    """No qualified medical translator has reviewed these translations yet: they are drafts."""
    main = article(site_es, docname).select_one("article.bd-article")
    banner = main.select_one(".handbook-banner-translation-draft")
    assert banner["role"] == "note"
    assert banner.get_text(" ", strip=True).startswith(
        "Traducción en borrador — un traductor médico calificado todavía no la ha revisado.")
    assert banner.a["href"] == f"../../{docname}.html"


@pytest.mark.parametrize("docname", sorted(GUIDES))
def test_language_switcher_links_the_english_page(site_es, docname):
    soup = article(site_es, docname)
    switcher = soup.select_one("nav.handbook-language-switcher")
    assert switcher["aria-label"] == "Idioma"
    assert [(a["hreflang"], a["href"], a.get_text()) for a in switcher.select("a")] == [
        ("en", f"../../{docname}.html", "English")]
    assert soup.find("link", rel="alternate", hreflang="en")["href"] == f"../../{docname}.html"


def test_english_guide_links_its_spanish_page(handbook_html):
    for docname in GUIDES:
        soup = BeautifulSoup((handbook_html.outdir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
        switcher = soup.select_one("nav.handbook-language-switcher")
        assert [(a["hreflang"], a["lang"], a["href"], a.get_text()) for a in switcher.select("a")] == [
            ("es", "es", f"../es/{docname}.html", "Español")]
    untranslated = sorted(set(d.removesuffix(".md") for d in (p.relative_to(REPO_ROOT).as_posix()
                          for p in (REPO_ROOT / "patient-guides").glob("*.md"))) - set(GUIDES) - {"patient-guides/index"})
    for docname in untranslated:
        soup = BeautifulSoup((handbook_html.outdir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
        assert soup.select_one("nav.handbook-language-switcher") is None, docname


def test_readability_report_scores_spanish_beside_english(handbook_html):
    soup = BeautifulSoup((handbook_html.outdir / "reference" / "readability.html").read_text(encoding="utf-8"), "html.parser")
    table = soup.select_one("table.handbook-readability")
    headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    assert headers[-1] == "Spanish: Szigriszt-Pazos (INFLESZ) (pass at 65)"
    rows = {tr.td.get_text(" ", strip=True).split(" ")[0]: [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in table.select("tbody tr")}
    for guide_id in GUIDES.values():
        cell = rows[guide_id][-1]
        match = re.fullmatch(r"(\d+\.\d) (bastante fácil|muy fácil) – Pass", cell)
        assert match and float(match.group(1)) >= 65, cell
    for path in sorted((REPO_ROOT / "patient-guides").glob("*.md")):
        front = read_front_matter(path)
        if front and front.data.get("id") in rows and f"patient-guides/{path.stem}" not in GUIDES:
            assert rows[front.data["id"]][-1] == "not translated"
    assert "Szigriszt-Pazos" in soup.select_one(".handbook-readability-languages").get_text()


def test_spanish_search_uses_the_spanish_stemmer_without_accents(site_es):
    text = (site_es / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    terms = index["terms"]
    assert "respir" in terms  # "respirar", "respiración": one Spanish stem
    assert not [term for term in terms if re.search(r"[áéíóú]", term)], "accents left in the index"
    assert "despu" in terms and fold("después") == "despues"
    language_data = (site_es / "_static" / "language_data.js").read_text(encoding="utf-8")
    assert "HandbookFoldedSpanishStemmer" in language_data
    assert 'html lang="es"' in (site_es / "search.html").read_text(encoding="utf-8")


# -- PDFs --------------------------------------------------------------------------------


@pytest.mark.parametrize("docname", sorted(GUIDES))
def test_spanish_handout_passes_the_pdf_checks(pdf_es, docname):
    path = pdf_es / "handouts" / f"{docname.rsplit('/', 1)[1]}.pdf"
    with pikepdf.open(path) as document:
        root = document.Root
        assert "/StructTreeRoot" in root, "not tagged"
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == "es"
        with document.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        embedded = {}
        for page in document.pages:
            for font in page.Resources.get("/Font", {}).values():
                descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
                embedded[str(font.BaseFont)] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        assert embedded and all(embedded.values()), embedded
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) <= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert english_words(text) == [], text
    assert ("Llame al 911 si" in text) == call_boxes(docname)[0]
    assert "Llámenos: 555-0100 · Fuera de horario: 555-0199" in text
    assert f"· Página 1 de {len(reader.pages)}" in text
    assert "Las copias impresas no están controladas" in text
    effective = read_front_matter(REPO_ROOT / f"{docname}.md").data["effective"]
    assert f"Vigente desde el {spanish_date(effective)}" in " ".join(text.split())
    assert "Traducción en borrador" in text


def test_spanish_build_has_no_handbook_pdf(pdf_es):
    assert not (pdf_es / "handbook.pdf").exists()
    assert sorted(p.name for p in (pdf_es / "handouts").glob("*.pdf")) == sorted(
        f"{d.rsplit('/', 1)[1]}.pdf" for d in GUIDES)


def test_required_translations_name_every_guide_without_one(tmp_path):
    """``handbook_translations_required = True``: a guide with no Spanish record is a warning.

    Every real guide is translated, so a copy of the handbook drops one record.
    """
    from conftest import build_project

    source = tmp_path / "handbook"
    shutil.copytree(REPO_ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "_build", "_site", "tests", "__pycache__", "*.mo"))
    register = source / "locales" / "es" / "translations.yaml"
    records = yaml.safe_load(register.read_text(encoding="utf-8"))
    dropped = records["translations"].pop("PG-015")  # My safety plan
    assert dropped
    register.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    build = build_project(source, tmp_path / "build", "html", freshenv=True, language="es",
                          handbook_translations_required=True)
    assert build.warnings.splitlines() == [
        "patient-guides/safety-plan.md:1: WARNING: PG-015 has no es translation "
        "(handbook_translations_required): translate locales/es/LC_MESSAGES/patient-guides/safety-plan.po "
        "and record it in locales/es/translations.yaml [handbook.translation]"]
