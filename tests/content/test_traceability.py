"""The traceability matrix: guidance points traced to the pages and sections that implement them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.util.console import strip_colors

from handbook.content.traceability import RegisterError, parse_register

ROOTS = Path(__file__).resolve().parent.parent / "roots"


def _soup(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


def _warnings(app) -> list[str]:
    return strip_colors(app.warning.getvalue()).splitlines()


@pytest.mark.sphinx("html", testroot="traceability-good", freshenv=True)
def test_matrix_lists_each_point_with_its_pages_and_sections(app):
    app.build()
    assert _warnings(app) == []
    soup = _soup(app, "reference/traceability")
    rows = soup.select("table.handbook-traceability-matrix tbody tr")
    assert [row["id"] for row in rows] == ["sg-01", "sg-02"]
    cells = [cell.get_text(" ", strip=True) for cell in rows[1].find_all("td")[:4]]
    assert cells == ["SG-02", "Dosing by weight", "A, B", "The dose is worked out from body weight."]
    links = [(a.get_text(strip=True), a["href"]) for a in rows[1].find_all("td")[4].find_all("a")]
    # Protocols first, then patient guides; each page's tagged sections under it.
    assert links == [
        ("PR-005 Infusion monitoring", "../protocols/monitoring.html"),
        ("Checking the dose", "../protocols/monitoring.html#checking-the-dose"),
        ("PG-006 After your treatment", "../patient-guides/after.html"),
    ]
    first = [(a.get_text(strip=True), a["href"]) for a in rows[0].find_all("a")]
    assert first == [
        ("PR-005 Infusion monitoring", "../protocols/monitoring.html"),
        ("Who is present", "../protocols/monitoring.html#who-is-present"),
    ]
    legend = [li.get_text(strip=True) for li in soup.select("ul.handbook-traceability-articles li")]
    assert legend == ["A: First article", "B: Second article"]


@pytest.mark.sphinx("html", testroot="traceability-good", freshenv=True)
def test_sg_role_links_to_the_points_row(app):
    app.build()
    tags = _soup(app, "protocols/monitoring").select("a.handbook-sg")
    assert [(tag.get_text(), tag["href"], tag["title"]) for tag in tags] == [
        ("SG-01", "../reference/traceability.html#sg-01", "Supervision"),
        ("SG-02", "../reference/traceability.html#sg-02", "Dosing by weight"),
    ]
    # The section still shows its own title, without the tag.
    assert _soup(app, "protocols/monitoring").select_one("section#who-is-present h2").get_text(strip=True).rstrip("¶") == "Who is present"


@pytest.mark.sphinx("html", testroot="traceability-good", freshenv=True, parallel=2)
def test_parallel_build_gives_the_same_matrix(app):
    app.build()
    assert _warnings(app) == []
    # The pages really were read in chunks by worker processes, then merged.
    assert re.search(r"reading sources\.\.\. \[ *\d+%\] \S+ \.\. \S+", strip_colors(app.status.getvalue()))
    rows = _soup(app, "reference/traceability").select("table.handbook-traceability-matrix tbody tr")
    hrefs = [[a["href"] for a in row.find_all("a")] for row in rows]
    assert hrefs == [
        ["../protocols/monitoring.html", "../protocols/monitoring.html#who-is-present"],
        ["../protocols/monitoring.html", "../protocols/monitoring.html#checking-the-dose", "../patient-guides/after.html"],
    ]


@pytest.mark.sphinx("html", testroot="traceability-unknown-covers", freshenv=True)
def test_unknown_point_in_covers_is_reported_at_the_covers_line(app):
    app.build()
    page = app.srcdir / "protocols" / "monitoring.md"
    assert _warnings(app) == [
        f"{page}:4: WARNING: covers names unknown guidance point 'SG-99' [handbook.traceability]",
    ]


@pytest.mark.sphinx("html", testroot="traceability-unknown-role", freshenv=True)
def test_unknown_point_in_sg_role_is_reported_at_its_line(app):
    app.build()
    page = app.srcdir / "protocols" / "monitoring.md"
    assert _warnings(app) == [
        f"{page}:12: WARNING: unknown guidance point 'SG-42' in {{sg}} role [handbook.traceability]",
    ]
    # No matrix page in this project: the tag is shown as text, never as a dead link.
    tag = _soup(app, "protocols/monitoring").select_one(".handbook-sg")
    assert tag.name == "span" and tag.get_text() == "SG-42"


@pytest.mark.sphinx("html", testroot="traceability-uncovered", freshenv=True)
def test_point_covered_only_outside_protocols_and_guides_is_uncovered(app):
    app.build()
    register = app.srcdir / "reference" / "guidance.yaml"
    assert _warnings(app) == [
        f"{register}:14: WARNING: guidance point SG-02 is covered by no protocol and no patient guide"
        " [handbook.traceability]",
    ]


@pytest.mark.sphinx("html", testroot="traceability-malformed", freshenv=True)
def test_malformed_points_are_reported_with_their_lines(app):
    app.build()
    register = app.srcdir / "reference" / "guidance.yaml"
    assert _warnings(app) == [
        f"{register}:10: WARNING: guidance point SG-01 appears twice (first at line 6) [handbook.traceability]",
        f"{register}:14: WARNING: guidance point SG-03 needs paraphrase [handbook.traceability]",
        f"{register}:17: WARNING: guidance point SG-04 names unknown article(s) C [handbook.traceability]",
        f"{register}:6: WARNING: guidance point SG-01 is covered by no protocol and no patient guide"
        " [handbook.traceability]",
    ]


@pytest.mark.sphinx("html", testroot="traceability-badyaml", freshenv=True)
def test_register_that_is_not_yaml_is_reported_with_file_and_line(app):
    app.build()
    register = app.srcdir / "reference" / "guidance.yaml"
    assert _warnings(app) == [
        f"{register}:7: WARNING: guidance register is not valid YAML: while scanning a quoted scalar at line 3,"
        " found unexpected end of stream [handbook.traceability]",
    ]


def test_register_without_points_is_refused_at_the_key():
    with pytest.raises(RegisterError) as caught:
        parse_register("articles:\n  A: {title: One}\npoints: none\n")
    assert (caught.value.message, caught.value.line) == ("guidance register needs 'points': a list of guidance points", 3)


def test_real_register_reads_cleanly():
    from conftest import REPO_ROOT

    register, problems = parse_register((REPO_ROOT / "reference" / "guidance.yaml").read_text(encoding="utf-8"))
    assert problems == []
    assert list(register.points) == [f"SG-{n:02d}" for n in range(1, 25)]


def test_matrix_follows_a_changed_page_on_an_incremental_build(rootdir, tmp_path):
    """Editing one page's covers rewrites the matrix page, which itself did not change."""
    import shutil
    from io import StringIO

    from sphinx.testing.util import SphinxTestApp

    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-traceability-good", src)

    def build() -> tuple[list[list[str]], str]:
        warning = StringIO()
        app = SphinxTestApp("html", srcdir=src, builddir=tmp_path / "out", status=StringIO(), warning=warning)
        try:
            app.build()
        finally:
            app.cleanup()
        rows = _soup(app, "reference/traceability").select("table.handbook-traceability-matrix tbody tr")
        return [[a.get_text(strip=True) for a in row.find_all("a")] for row in rows], warning.getvalue()

    before, warnings = build()
    assert warnings == ""
    assert "PG-006 After your treatment" not in before[0] and "PG-006 After your treatment" in before[1]
    guide = src / "patient-guides" / "after.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("  - SG-02", "  - SG-01"), encoding="utf-8")
    after, warnings = build()
    assert warnings == ""
    assert "PG-006 After your treatment" in after[0] and "PG-006 After your treatment" not in after[1]


@pytest.mark.sphinx("html", testroot="clinic", freshenv=True)
def test_project_that_never_traces_needs_no_register(app):
    app.build()
    assert "guidance register" not in strip_colors(app.warning.getvalue())


@pytest.mark.sphinx("html", testroot="traceability-noregister", srcdir="traceability-register-added", freshenv=True)
def test_a_register_added_later_is_read_on_the_next_incremental_build(app, make_app):
    app.build()
    assert "cannot read the guidance register" in strip_colors(app.warning.getvalue())
    before = len(app.status.getvalue())
    nothing_changed = make_app("html", srcdir=app.srcdir)
    nothing_changed.build()
    # With no register the pages do not depend on a missing file: nothing is read again.
    assert "reading sources... [" not in strip_colors(nothing_changed.status.getvalue()[before:])

    register = app.srcdir / "reference" / "guidance.yaml"
    register.parent.mkdir()
    shutil.copy(ROOTS / "test-traceability-good" / "reference" / "guidance.yaml", register)
    with_register = make_app("html", srcdir=app.srcdir)
    with_register.build()
    status = strip_colors(with_register.status.getvalue())
    assert "index" in re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", status)
    warnings = strip_colors(with_register.warning.getvalue())
    assert "cannot read the guidance register" not in warnings
    assert "guidance point SG-02 is covered by no protocol and no patient guide" in warnings  # the register was read


@pytest.mark.sphinx("html", testroot="traceability-noregister", freshenv=True)
def test_sg_role_without_a_register_is_reported(app):
    app.build()
    register = app.srcdir / "reference" / "guidance.yaml"
    assert _warnings(app) == [
        f"WARNING: cannot read the guidance register {register}: No such file or directory [handbook.traceability]",
    ]
