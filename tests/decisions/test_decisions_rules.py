"""The five rules of local decisions: one broken test project each, its exact warning at file:line.

The rules (issue 15): an unknown id; a decision no page uses; a confirmed
decision without who and when; a value that does not fit its type; an active
page that uses a proposed decision. Each is a ``[handbook.decision]`` warning,
so the strict build (``-W``) fails on it.
"""

from __future__ import annotations

import shutil
from io import StringIO

import pytest
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_colors


def warnings_of(app) -> list[str]:
    return strip_colors(app.warning.getvalue()).splitlines()


def where(app, path: str, line: int) -> str:
    return f"{app.srcdir / path}:{line}: WARNING: "


@pytest.mark.sphinx("html", testroot="decisions-unknown", freshenv=True)
def test_unknown_id(app):
    app.build()
    assert warnings_of(app) == [
        where(app, "protocols/page.md", 5)
        + "unknown decision LD-099: reference/decisions.yaml has no such id [handbook.decision]",
    ]
    # Half-written content still builds: the id stands where the value would be.
    html = (app.outdir / "protocols" / "page.html").read_text(encoding="utf-8")
    assert "Stop drinking: <span class=\"handbook-decision handbook-decision-unknown\">LD-099</span> before." in html
    assert "Stop eating solids: <span class=\"handbook-decision handbook-decision-proposed\">6 h</span> before." in html


@pytest.mark.sphinx("html", testroot="decisions-unused", freshenv=True)
def test_decision_no_page_uses(app):
    app.build()
    assert warnings_of(app) == [
        where(app, "reference/decisions.yaml", 10)
        + "decision LD-002 is used by no page: print it with {decision}`LD-002` where it applies, "
        "or remove it from the register [handbook.decision]",
    ]


@pytest.mark.sphinx("html", testroot="decisions-unconfirmed", freshenv=True)
def test_confirmed_decision_without_who_and_when(app):
    app.build()
    assert warnings_of(app) == [
        where(app, "reference/decisions.yaml", 9)
        + "decision LD-001 is confirmed but does not say when (confirmed-on) [handbook.decision]",
    ]


@pytest.mark.sphinx("html", testroot="decisions-value", freshenv=True)
def test_value_that_does_not_fit_its_type(app):
    app.build()
    assert warnings_of(app) == [
        where(app, "reference/decisions.yaml", 5)
        + "decision LD-001 is a duration but its value 'six' is not a number [handbook.decision]",
    ]
    # The page still builds, printing the value as written.
    html = (app.outdir / "protocols" / "page.html").read_text(encoding="utf-8")
    assert ">six</span> before." in html


@pytest.mark.sphinx("html", testroot="decisions-proposed-active", freshenv=True)
def test_active_page_using_a_proposed_decision(app):
    app.build()
    assert warnings_of(app) == [
        where(app, "protocols/page.md", 16)
        + "PR-005 is active but uses proposed decision LD-001: confirm it or set the page back to draft "
        "[handbook.decision]",
    ]


def test_rules_are_reported_again_on_an_incremental_build(rootdir, tmp_path):
    """Nothing changed, yet the strict build fails again with the same warning."""
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-decisions-proposed-active", src)
    expected = (f"{src / 'protocols/page.md'}:16: WARNING: PR-005 is active but uses proposed decision LD-001: "
                "confirm it or set the page back to draft [handbook.decision]")
    for _ in range(2):
        warning, status = StringIO(), StringIO()
        app = SphinxTestApp("html", srcdir=src, builddir=tmp_path / "out", status=status, warning=warning)
        try:
            app.build()
        finally:
            app.cleanup()
        assert strip_colors(warning.getvalue()).splitlines() == [expected]
    # No source changed: the page at fault was read again so that the rule is checked.
    assert "updating environment: 0 added, 1 changed, 0 removed" in strip_colors(status.getvalue())


@pytest.mark.sphinx("html", testroot="decisions", freshenv=True)
def test_draft_pages_may_use_proposed_decisions(app):
    app.build()
    assert warnings_of(app) == []


@pytest.mark.sphinx("html", testroot="clinic", freshenv=True)
def test_project_without_decisions_needs_no_register(app):
    app.build()
    assert "decision" not in strip_colors(app.warning.getvalue())
