"""Local decisions on pages: the roles, the box, the awaiting list, decisions.json, confirming, incremental builds."""

from __future__ import annotations

import json
import re
import shutil
from io import StringIO
from pathlib import Path

import pypdf
import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_colors

ROOTS = Path(__file__).resolve().parent.parent / "roots"
EPOCH = "1763600000"


def soup_of(outdir: Path, docname: str) -> BeautifulSoup:
    return BeautifulSoup((Path(outdir) / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


def body_text(outdir: Path, docname: str) -> str:
    soup = soup_of(outdir, docname)
    return (soup.select_one("[role=main]") or soup.select_one("main")).get_text(" ", strip=True)


class Project:
    """A test project copied to ``tmp_path``, built (incrementally) as often as a test likes."""

    def __init__(self, root: str, tmp_path: Path) -> None:
        self.src = tmp_path / "src"
        self.out = tmp_path / "out"
        shutil.copytree(ROOTS / f"test-{root}", self.src)

    def build(self, buildername: str = "html") -> tuple[Path, list[str], list[str]]:
        """Build; return the output folder, the warnings and the docnames read."""
        warning, status = StringIO(), StringIO()
        app = SphinxTestApp(buildername, srcdir=self.src, builddir=self.out, status=status, warning=warning)
        read: list[str] = []
        app.connect("env-before-read-docs", lambda _app, _env, docnames: read.extend(docnames))
        try:
            app.build()
        finally:
            app.cleanup()
        return Path(app.outdir), strip_colors(warning.getvalue()).splitlines(), sorted(read)

    def edit(self, path: str, old: str, new: str) -> None:
        file = self.src / path
        text = file.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        file.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The ``test-decisions`` project (draft pages, proposed decisions), HTML, built once."""
    project = Project("decisions", tmp_path_factory.mktemp("decisions"))
    outdir, warnings, _ = project.build()
    assert warnings == []
    return outdir


def test_roles_print_the_wording_for_staff_and_for_patients(built):
    staff = body_text(built, "protocols/fasting")
    assert "Before the infusion: nil by mouth for solids for 6 h before the infusion ." in staff
    assert "Escort: a sober adult ." in staff
    cells = [td.get_text(strip=True) for td in soup_of(built, "protocols/fasting").select_one("table").select("td")]
    assert cells == ["SpO2", "at least94 %", "Heart rate", "60–100 beats/min"]
    guide = body_text(built, "patient-guides/getting-ready")
    assert "Do not eat any food for 6 hours before your treatment ." in guide
    assert "Eating is fine until 6 hours before." in guide
    assert re.search(r"\b6 h\b", guide) is None  # never the staff abbreviation


def test_decision_box_shows_question_value_source_and_status(built):
    soup = soup_of(built, "protocols/fasting")
    aside = soup.select_one("aside#ld-001")
    assert aside["aria-label"] == "Local decision LD-001"
    box = aside.select_one("div.admonition")
    assert box["class"] == ["admonition", "local-decision", "handbook-decision-box", "handbook-decision-proposed"]
    assert box.select_one("p.admonition-title").get_text(strip=True) == "Local decision LD-001"
    assert box.select_one("p.handbook-decision-question").get_text(strip=True) == (
        "How long before an infusion must the patient stop eating solid food?")
    fields = {dt.get_text(strip=True): dt.find_next_sibling("dd") for dt in box.select("dl dt")}
    assert list(fields) == ["Value", "Source", "Status"]
    assert fields["Value"].get_text(strip=True) == "6 h"
    # The source is a real citation of the references.bib entry, linked to the bibliography.
    citation = fields["Source"].select_one("span.bibtex-citation a")
    assert citation.get_text(strip=True) == "Apfelbaum and Others, 2017"
    assert citation["href"].startswith("../reference/sources.html#")
    assert fields["Status"].get_text(strip=True) == "Proposed: awaiting the medical director"
    second = soup.select_one("aside#ld-002")
    assert second.select("dd")[1].get_text(strip=True) == "No published source"


def test_awaiting_page_lists_proposed_decisions_with_owner_and_waiting_pages(built):
    soup = soup_of(built, "reference/decisions")
    assert soup.select_one("h1").get_text(strip=True).rstrip("¶") == "Decisions awaiting the medical director"
    headers = [th.get_text(strip=True) for th in soup.select("table.handbook-decisions-awaiting thead th")]
    assert headers == ["Decision", "Proposed value", "Source", "Owner", "Pages waiting on it"]
    rows = soup.select("table.handbook-decisions-awaiting tbody tr")
    assert [row["id"] for row in rows] == ["awaiting-ld-001", "awaiting-ld-002", "awaiting-ld-003", "awaiting-ld-004"]
    cells = rows[0].find_all("td")
    assert cells[0].get_text(" ", strip=True) == "LD-001 How long before an infusion must the patient stop eating solid food?"
    assert cells[1].get_text(strip=True) == "6 h"
    assert cells[2].get_text(strip=True) == "[Apfelbaum and Others, 2017]"
    assert [(a.get_text(strip=True), a["href"]) for a in cells[3].find_all("a")] == [
        ("PR-005 Fasting and monitoring", "../protocols/fasting.html")]
    assert [(a.get_text(strip=True), a["href"]) for a in cells[4].find_all("a")] == [
        ("PG-001 Getting ready", "../patient-guides/getting-ready.html"),
        ("PR-005 Fasting and monitoring", "../protocols/fasting.html"),
    ]
    assert rows[1].find_all("td")[2].get_text(strip=True) == "No published source"
    link = soup.select_one("div.handbook-print-link a")
    assert (link.get_text(strip=True), link["href"]) == (
        "Print the sign-off sheet for the medical director (PDF)", "../pdf/decisions-signoff.pdf")


def test_decisions_json_beside_register_json(built):
    assert (built / "register.json").is_file()
    data = json.loads((built / "decisions.json").read_text(encoding="utf-8"))
    assert data["file"] == "reference/decisions.yaml"
    assert [d["id"] for d in data["decisions"]] == ["LD-001", "LD-002", "LD-003", "LD-004"]
    first = data["decisions"][0]
    assert first == {
        "id": "LD-001",
        "question": "How long before an infusion must the patient stop eating solid food?",
        "type": "duration",
        "value": 6,
        "unit": "h",
        "options": None,
        "formatted": {"staff": "6 h", "patient": "6 hours"},
        "wording": {"staff": "nil by mouth for solids for 6 h before the infusion",
                    "patient": "Do not eat any food for 6 hours before your treatment"},
        "source": "asa_fasting_2017",
        "owner": "PR-005",
        "status": "proposed",
        "confirmed_by": None,
        "confirmed_on": None,
        "register_line": 2,
        "used_by": [
            {"docname": "patient-guides/getting-ready", "path": "patient-guides/getting-ready.html",
             "id": "PG-001", "status": "draft"},
            {"docname": "protocols/fasting", "path": "protocols/fasting.html", "id": "PR-005", "status": "draft"},
        ],
    }
    assert data["decisions"][2]["value"] == [60, 100]
    assert data["decisions"][3]["options"] == ["a sober adult", "a taxi"]
    assert data["decisions"][1]["source"] is None


def test_confirmed_decisions_let_pages_be_active(tmp_path):
    project = Project("decisions-confirmed", tmp_path)
    outdir, warnings, _ = project.build()
    assert warnings == []
    box = soup_of(outdir, "protocols/fasting").select_one("aside#ld-001 div.admonition")
    assert "handbook-decision-confirmed" in box["class"]
    assert box.select("dd")[2].get_text(strip=True) == "Confirmed by Medical Director on 2027-04-20"
    guide = body_text(outdir, "patient-guides/getting-ready")
    assert "After your treatment, a sober adult must take you home ." in guide
    awaiting = body_text(outdir, "reference/decisions")
    assert "No decision is awaiting the medical director: every decision in the register is confirmed." in awaiting

    # The medical director has not confirmed LD-005 after all: both active pages using it warn.
    project.edit("reference/decisions.yaml", "    status: confirmed\n    confirmed-by: Medical Director\n"
                 "    confirmed-on: 2027-04-20\n    wording:\n      patient:",
                 "    status: proposed\n    wording:\n      patient:")
    outdir, warnings, read = project.build()
    assert warnings == [
        f"{project.src / 'patient-guides/getting-ready.md'}:16: WARNING: PG-001 is active but uses proposed "
        "decision LD-005: confirm it or set the page back to draft [handbook.decision]",
        f"{project.src / 'protocols/fasting.md'}:18: WARNING: PR-005 is active but uses proposed "
        "decision LD-005: confirm it or set the page back to draft [handbook.decision]",
    ]
    # Only the pages using LD-005, and the list of decisions, were read again.
    assert read == ["patient-guides/getting-ready", "protocols/fasting", "reference/decisions"]
    rows = soup_of(outdir, "reference/decisions").select("table.handbook-decisions-awaiting tbody tr")
    assert [row["id"] for row in rows] == ["awaiting-ld-005"]


def test_changed_value_reaches_every_page_and_leaves_the_old_one_nowhere(tmp_path):
    project = Project("decisions", tmp_path)
    outdir, warnings, _ = project.build()
    assert warnings == []
    assert "6 hours" in body_text(outdir, "patient-guides/getting-ready")

    project.edit("reference/decisions.yaml", "    value: 6\n", "    value: 8\n")
    outdir, warnings, read = project.build()
    assert warnings == []
    # LD-001 is used on two pages; the awaiting list shows it: those are read again, nothing else.
    assert read == ["patient-guides/getting-ready", "protocols/fasting", "reference/decisions"]
    guide = body_text(outdir, "patient-guides/getting-ready")
    assert "Do not eat any food for 8 hours before your treatment" in guide
    protocol = body_text(outdir, "protocols/fasting")
    assert "nil by mouth for solids for 8 h before the infusion" in protocol
    for docname in ("patient-guides/getting-ready", "protocols/fasting", "reference/decisions"):
        text = body_text(outdir, docname)
        assert re.search(r"\b6 h", text) is None, docname
    assert json.loads((outdir / "decisions.json").read_text())["decisions"][0]["formatted"]["staff"] == "8 h"

    # An edit to a decision no page prints reads nothing again but the list.
    project.edit("reference/decisions.yaml", "value: [60, 100]", "value: [60, 110]")
    _, warnings, read = project.build()
    assert (warnings, read) == ([], ["protocols/fasting", "reference/decisions"])


def test_changed_value_reaches_every_pdf_on_an_incremental_build(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project = Project("decisions", tmp_path)
    outdir, warnings, _ = project.build("handbookpdf")
    assert warnings == []

    def texts() -> dict[str, str]:
        return {name: "\n".join(page.extract_text() for page in pypdf.PdfReader(outdir / name).pages)
                for name in ("handouts/getting-ready.pdf", "handbook.pdf", "decisions-signoff.pdf")}

    before = texts()
    assert "Do not eat any food for 6 hours before your treatment" in before["handouts/getting-ready.pdf"]
    assert "nil by mouth for solids for 6 h before the infusion" in before["handbook.pdf"]
    project.edit("reference/decisions.yaml", "    value: 6\n", "    value: 8\n")
    outdir, warnings, _ = project.build("handbookpdf")
    assert warnings == []
    after = texts()
    assert "Do not eat any food for 8 hours before your treatment" in after["handouts/getting-ready.pdf"]
    assert "nil by mouth for solids for 8 h before the infusion" in after["handbook.pdf"]
    assert "Confirm the proposed value: 8 h" in after["decisions-signoff.pdf"]
    for name, text in after.items():
        assert re.search(r"\b6 h", text) is None, name
