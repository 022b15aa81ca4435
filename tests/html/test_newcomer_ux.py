"""What a newcomer met on the built site (newcomer review, findings 3, 5, 11, 12), in a real browser.

* the "Call 911 if" box is red with a warning sign, the "Call us if" box amber
  with a phone, unlike the blue notes, with axe-core's contrast rules clean in
  light and dark mode;
* a table wider than a phone's screen says it scrolls (a line above it, the
  side with more columns fading out) and is a labelled region the keyboard can scroll;
* charting templates wrap inside the column at 1280 px instead of running past it;
* the footer reads "By the handbook's clinical leads".

Uses the real handbook (``handbook_html``) and the browser, server and axe-core
helpers of ``test_browser`` (Debian's Chromium, nothing fetched from elsewhere).
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from test_browser import DESKTOP, PHONE, _axe, _describe, base_url, browser, new_context, site  # noqa: F401 - fixtures

GUIDE_WITH_CALLS = "patient-guides/warning-signs"  # has both boxes, "Call 911 if" and "Call us if"
WIDE_TABLE_PAGE = "protocols/infusion-monitoring"  # the thresholds table: Stop was off-screen on a phone
CHARTING_PAGES = ("protocols/infusion-monitoring", "protocols/dose-calculation")


def _rgb(css: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", css)[:3])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_call_boxes_are_red_and_amber_with_signs_and_pass_contrast(base_url, new_context, scheme):
    context, traffic = new_context(**DESKTOP, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{base_url}{GUIDE_WITH_CALLS}.html", wait_until="load")
    style = page.evaluate("""() => {
        const read = (selector) => {
            const box = document.querySelector(selector);
            const title = box.querySelector('.admonition-title');
            const sign = getComputedStyle(title, '::after');
            return {rule: getComputedStyle(box).borderLeftColor, width: getComputedStyle(box).borderLeftWidth,
                    titleBg: getComputedStyle(title).backgroundColor, sign: sign.content};
        };
        return {emergency: read('.admonition.call-emergency'), clinic: read('.admonition.call-clinic'),
                note: getComputedStyle(document.querySelector('.admonition:not(.call-emergency):not(.call-clinic)')
                                       || document.body).borderLeftColor};
    }""")
    red, amber = _rgb(style["emergency"]["rule"]), _rgb(style["clinic"]["rule"])
    assert red[0] > 180 and red[1] < 130 and red[2] < 130, style  # red
    assert amber[0] > 150 and 90 < amber[1] < 210 and amber[2] < 60, style  # amber
    assert style["emergency"]["width"] == style["clinic"]["width"] != "0px"
    # Signs, not colour alone: Font Awesome's triangle (f071) and phone (f095).
    assert style["emergency"]["sign"] == '"\uf071"' and style["clinic"]["sign"] == '"\uf095"', style
    violations = [v for v in _axe(page, traffic) if v["id"] == "color-contrast"
                  and any(".call-" in " ".join(map(str, node["target"])) for node in v["nodes"])]
    assert violations == [], _describe(violations)
    page.close()


def test_wide_table_on_a_phone_says_it_scrolls_and_scrolls_with_the_keyboard(base_url, new_context):
    context, traffic = new_context(**PHONE, color_scheme="light")
    page = context.new_page()
    page.goto(f"{base_url}{WIDE_TABLE_PAGE}.html", wait_until="load")
    boxes = page.locator(".bd-article .pst-scrollable-table-container.handbook-overflows")
    assert boxes.count() >= 1
    box = boxes.first
    state = box.evaluate("""b => ({classes: [...b.classList], tabindex: b.getAttribute('tabindex'),
        role: b.getAttribute('role'), label: b.getAttribute('aria-label'),
        cue: getComputedStyle(b, '::before').content, mask: getComputedStyle(b).maskImage})""")
    assert "handbook-more-right" in state["classes"] and "handbook-more-left" not in state["classes"]
    assert state["tabindex"] == "0" and state["role"] == "region" and state["label"].endswith("(scrolls sideways)")
    assert "Scroll sideways for more columns" in state["cue"] and "linear-gradient" in state["mask"]
    # The keyboard scrolls it; at the far end the cue moves to the left side.
    box.focus()
    for _ in range(60):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    box.evaluate("b => b.scrollTo({left: b.scrollWidth})")
    page.wait_for_timeout(100)
    classes = box.evaluate("b => [...b.classList]")
    assert "handbook-more-left" in classes and "handbook-more-right" not in classes
    violations = [v for v in _axe(page, traffic) if v["id"] in ("scrollable-region-focusable", "aria-allowed-role",
                                                                  "color-contrast", "region")]
    assert violations == [], _describe(violations)
    page.close()


def test_charting_templates_wrap_inside_the_column_on_a_desktop(base_url, new_context):
    context, _ = new_context(**DESKTOP, color_scheme="light")
    page = context.new_page()
    for name in CHARTING_PAGES:
        page.goto(f"{base_url}{name}.html", wait_until="load")
        blocks = page.evaluate("""() => [...document.querySelectorAll('.bd-article div.highlight-text pre')].map(
            pre => ({wrap: getComputedStyle(pre).whiteSpace, over: pre.scrollWidth - pre.clientWidth}))""")
        assert blocks, name
        assert all(b["wrap"] == "pre-wrap" and b["over"] <= 1 for b in blocks), (name, blocks)
    page.close()


def test_footer_names_the_authors_in_a_sentence(handbook_html):
    soup = BeautifulSoup((handbook_html.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    footer = " ".join(" ".join(f.get_text(" ", strip=True) for f in soup.select("footer")).split())
    assert "By the handbook's clinical leads" in footer and "By The" not in footer
