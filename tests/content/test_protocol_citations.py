"""Every clinical number in a protocol carries a citation or a local-decision marker.

The check reads the built HTML of each protocol. A "clinical number" is a number
followed by a unit (mg/kg, mg, mL, mmHg, %, bpm, minutes, hours, days, weeks,
months, years, kg ...), written in digits or in words ("two hours"). Its block is the nearest
table row or list item around it, or else its paragraph. The block passes when
it holds a citation of its own (``{cite:p}`` renders ``span.bibtex-citation``
with a link) or when the number sits inside a ``local-decision`` admonition (the
decision box) or is a register value printed by the ``{decision}`` or
``{decision-value}`` role (``span.handbook-decision``).
Charting templates (code blocks) are skipped: they hold blanks, not values.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, NavigableString, Tag

from conftest import REPO_ROOT

NUMBER = (
    r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|fifteen|twenty|thirty|forty|forty-five|sixty|ninety)"
)
UNIT = (
    r"(?:mg/kg/h(?:our)?|mg/kg|mg|mcg|micrograms?|µg|mL/h|mL|ml|L/min|litres?|liters?|mmHg|%|bpm"
    r"|beats per minute|breaths per minute|breaths/min|/min|minutes?|mins?|hours?|hrs?|h|business days?|days?|weeks?|months?|years?|kg)"
)
CLINICAL_NUMBER = re.compile(
    rf"(?<![\w.]){NUMBER}(?:\s*(?:-|–|to|/|or)\s*{NUMBER})*\s*{UNIT}(?![\w/])", re.IGNORECASE
)
BLOCK_FIRST = ("tr", "li")
BLOCK_ELSE = ("p", "dt", "dd", "th", "td", "caption", "h1", "h2", "h3", "h4", "h5", "h6")
SKIP = ("pre", "script", "style")
GENERATED = ("handbook-doc-control", "handbook-banner", "handbook-traceability")


def _block(node) -> Tag | None:
    """The table row or list item around ``node``, else its paragraph-like element."""
    for parent in node.parents:
        if parent.name in BLOCK_FIRST:
            return parent
    for parent in node.parents:
        if parent.name in BLOCK_ELSE:
            return parent
    return None


def _in_local_decision(node) -> bool:
    """Inside a decision box, or a register value printed by the ``{decision}`` roles."""
    return any(
        {"local-decision", "handbook-decision"} & set(parent.get("class") or []) for parent in node.parents
    )


def _skipped(node) -> bool:
    return any(
        parent.name in SKIP or set(parent.get("class") or []) & set(GENERATED) for parent in node.parents
    )


def uncited_numbers(html: str) -> list[tuple[str, str]]:
    """(number, block text) for every clinical number whose block has no citation or marker."""
    soup = BeautifulSoup(html, "html.parser")
    main = soup.select_one("article.bd-article") or soup.body or soup
    cited_blocks = {
        id(_block(citation))
        for citation in main.select("span.bibtex-citation")
        if citation.find("a", href=True)
    }
    problems = []
    for text in main.find_all(string=True):
        if not isinstance(text, NavigableString) or _skipped(text):
            continue
        for match in CLINICAL_NUMBER.finditer(str(text)):
            if _in_local_decision(text):
                continue
            block = _block(text)
            if block is None or id(block) not in cited_blocks:
                where = " ".join((block or text.parent).get_text(" ").split())
                problems.append((match.group(0), where))
    return problems


def clinical_numbers(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    main = soup.select_one("article.bd-article") or soup.body or soup
    return [
        match.group(0)
        for text in main.find_all(string=True)
        if not _skipped(text)
        for match in CLINICAL_NUMBER.finditer(str(text))
    ]


# -- The checker itself: it must fail on a bare number -------------------------------

CITE = '<span class="bibtex-citation">[<a class="reference internal" href="../reference/sources.html#id1">X, 2017</a>]</span>'
BOX = '<div class="admonition local-decision"><p class="admonition-title">Local decision</p>{}</div>'


@pytest.mark.parametrize(
    "html",
    [
        "<p>Give 0.5 mg/kg over 40 minutes.</p>",
        "<p>Observe for two hours.</p>",
        "<p>Pause if the pressure rises above 180/100 mmHg.</p>",
        "<p>Severe hypertension in 12.5% of patients.</p>",
        "<p>Heart rate above 110 bpm.</p>",
        "<p>Report a theft within 1 business day; keep records for 2 years.</p>",
        f"<table><tr><td><p>Dose</p></td><td><p>0.5 mg/kg</p></td></tr><tr><td><p>Other</p></td><td>{CITE}</td></tr></table>",
        f"<ul><li><p>Cited parent {CITE}</p><ul><li><p>Recheck in 5 minutes</p></li></ul></li></ul>",
        f"<p>Cited {CITE}.</p><p>Then give 40 mg.</p>",
        '<div class="admonition note"><p>Give 2 mL.</p></div>',
        '<p>Cite <span class="bibtex-citation">[unknown]</span> for 8-19%.</p>',
    ],
)
def test_checker_flags_a_bare_number(html):
    assert uncited_numbers(html), html


@pytest.mark.parametrize(
    "html",
    [
        f"<p>Give 0.5 mg/kg over 40 minutes {CITE}.</p>",
        f"<table><tr><td><p>Rise</p></td><td><p>16.0/11.0 mmHg</p></td><td>{CITE}</td></tr></table>",
        f"<ul><li><p>Infusions 0.5-2 mg/kg/h {CITE}</p></li></ul>",
        BOX.format("<p>Pause at about 180/100 mmHg and above 110 bpm.</p>"),
        BOX.format("<table><tr><td>Oxygen</td><td>Below ____ %</td></tr><tr><td>Recheck</td><td>after 5 minutes</td></tr></table>"),
        "<pre>BP ____ mmHg   over 40 minutes</pre>",
        '<p>Recheck after <span class="handbook-decision handbook-decision-proposed">5 min</span>.</p>',
        "<p>See PR-004 and SG-04; call 911; step 3 of 7.</p>",
    ],
)
def test_checker_accepts_cited_or_marked_numbers(html):
    assert uncited_numbers(html) == [], html


# -- The real protocols ---------------------------------------------------------------

PROTOCOLS = sorted(
    f"protocols/{path.stem}" for path in (REPO_ROOT / "protocols").glob("*.md") if path.stem != "index"
)


@pytest.mark.parametrize("docname", PROTOCOLS)
def test_every_clinical_number_in_a_protocol_is_cited_or_marked(handbook_html, docname):
    html = (Path(handbook_html.outdir) / f"{docname}.html").read_text(encoding="utf-8")
    problems = uncited_numbers(html)
    assert problems == [], "\n".join(f"{number!r} in: {block}" for number, block in problems)


def test_the_check_sees_the_numbers_it_must_see(handbook_html):
    """Guard against a check that passes because it finds nothing."""
    html = (Path(handbook_html.outdir) / "protocols/dose-calculation.html").read_text(encoding="utf-8")
    found = clinical_numbers(html)
    assert "0.5 mg/kg" in found and "0.5-2 mg/kg/h" in found
