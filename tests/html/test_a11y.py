"""handbook.a11y: checklist boxes are labelled, bibliography entries are list items.

tests/html/test_browser.py runs axe-core on the same test project in Chromium.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup


def _soup(app, docname: str) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.sphinx("html", testroot="a11y-markup")
def test_each_checklist_box_is_labelled_by_its_item_text(app):
    app.build()
    assert app.warning.getvalue() == ""
    items = _soup(app, "index").select("article li.task-list-item")
    assert len(items) == 2
    labels = []
    for item in items:
        label = item.p.label
        assert label is not None and label.parent is item.p
        box = label.find("input", recursive=False)
        assert box["type"] == "checkbox" and box.has_attr("disabled")
        labels.append((label.get_text(" ", strip=True), box.has_attr("checked")))
    assert labels == [
        ("Consent form signed, see the sources", False),
        ("Baseline blood pressure recorded", True),
    ]
    # The link inside the label still works; the item's second paragraph stays outside.
    assert items[0].label.a["href"] == "sources.html"
    assert "A second paragraph" not in items[1].label.get_text()
    assert _soup(app, "index").select("article label input") == _soup(app, "index").select(
        "article input"
    )


@pytest.mark.sphinx("html", testroot="a11y-markup")
def test_bibliography_entries_are_list_items(app):
    app.build()
    soup = _soup(app, "sources")
    lists = soup.select("article [role=list]")
    assert [lst.get("class") for lst in lists] == [["citation-list"]]
    entries = lists[0].find_all("div", recursive=False)
    assert [entry["role"] for entry in entries] == ["listitem", "listitem"]
    assert [entry["id"] for entry in entries] == ["sanacora2017", "ketalar"]
    assert "doc-biblioentry" not in str(soup)
