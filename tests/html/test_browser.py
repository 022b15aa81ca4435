"""The built handbook in a real browser: accessible, offline-safe, usable on a phone.

Debian's Chromium (``/usr/bin/chromium``) is driven by the ``playwright``
package; no browser is ever downloaded. axe-core comes from the
``axe-playwright-python`` package's bundled ``axe.min.js`` and is injected into
each page from disk, never from a CDN. The handbook is built once per session
(``handbook_html``) and served on 127.0.0.1 from a thread; every request the
browser makes is recorded, and a request to any other host fails (Chromium
cannot resolve other host names) and fails the test.

Every page of the built site is opened once on a light desktop and once on a
dark phone (a sample on a dark desktop); the tests below assert on what those
visits recorded. Single features (search, print, the phone's navigation
drawer, screenshots for review) have tests of their own.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_colors

from conftest import REPO_ROOT, serve_directory
from handbook.editions.archive import update_front_files, verify_archive
from handbook.doccontrol.model import controlled_documents, document_control
from handbook.editions.manifest import build_manifest, write_manifest

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = os.environ.get("HANDBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # Any host name but 127.0.0.1 fails at once, online or offline, so a stray
    # request cannot hang a test; it is still recorded and fails the test. (A
    # Playwright route would do the same but turns off the HTTP cache.)
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = REPO_ROOT / "_build" / "screenshots"

# Pages the single-page checks use.
LANDING = "index"
PROTOCOL = "protocols/infusion-monitoring"
GUIDE = "patient-guides/what-is-ketamine-treatment"
PANEL = ".handbook-doc-control"
MIN_PANEL_FONT_PX = 14

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# Viewing profiles: browser context options, and which pages to open (None: all).
# Every page is checked on a light desktop and on a dark phone, so each colour
# scheme and each layout meets every page; the dark desktop (whose only extra is
# the sidebar, the same on every page) is checked on a sample, to save time.
PROFILES = {
    "desktop": ({**DESKTOP, "color_scheme": "light"}, None),
    "phone-dark": ({**PHONE, "color_scheme": "dark"}, None),
    "desktop-dark": ({**DESKTOP, "color_scheme": "dark"}, [LANDING, PROTOCOL, GUIDE, "search"]),
}
SEARCH_QUERY, SEARCH_EXPECTS = "blood pressure", PROTOCOL


# -- Serving and driving ------------------------------------------------------


@pytest.fixture(scope="module")
def site(handbook_html) -> Path:
    return handbook_html.outdir


@pytest.fixture(scope="module")
def base_url(site):
    with serve_directory(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """One headless Debian Chromium for the whole module."""
    assert os.access(CHROMIUM, os.X_OK), (
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); see README"
    )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True  # never leaves the browser
    return parts.scheme in ("http", "https") and parts.hostname == "127.0.0.1"


@dataclasses.dataclass
class Traffic:
    """What a browser context did on the network and in its pages' consoles."""

    requests: list[str] = dataclasses.field(default_factory=list)
    failures: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    # axe-core 4.12 re-fetches each stylesheet's @import URL relative to the
    # page instead of the stylesheet (the theme's _static/styles/theme.css
    # imports "../basic.css", so axe asks for /basic.css and gets a 404). The
    # page itself loads _static/basic.css correctly. Failures while axe runs
    # are kept here, apart; every request still counts for the host check.
    audit_failures: list[str] = dataclasses.field(default_factory=list)
    auditing: bool = False

    def fail(self, message: str) -> None:
        (self.audit_failures if self.auditing else self.failures).append(message)

    def external(self) -> list[str]:
        return [url for url in self.requests if not _is_local(url)]


def _record(context: BrowserContext) -> Traffic:
    """Record every request of ``context``, failed loads and script errors."""
    traffic = Traffic()
    context.on("request", lambda request: traffic.requests.append(request.url))
    context.on(
        "response",
        lambda response: response.status >= 400
        and traffic.fail(f"HTTP {response.status} {response.url}"),
    )
    context.on(
        "requestfailed",
        # ERR_ABORTED: a load the page itself cancelled, e.g. a link click the
        # version switcher turns into its own navigation; nothing is missing.
        lambda request: request.failure != "net::ERR_ABORTED"
        and traffic.fail(f"{request.failure} {request.url}"),
    )

    def watch(page: Page) -> None:
        page.on("pageerror", lambda error: traffic.errors.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda message: message.type == "error"
            # Chromium's "Failed to load resource" repeats a failure the
            # response/requestfailed events above already recorded, with its URL.
            and not message.text.startswith("Failed to load resource")
            and traffic.errors.append(f"{page.url}: console: {message.text}"),
        )

    context.on("page", watch)
    return traffic


@pytest.fixture(scope="module")
def new_context(browser: Browser):
    """Make a recorded browser context; all are closed at the end of the module."""
    contexts = []

    def make(**options) -> tuple[BrowserContext, Traffic]:
        context = browser.new_context(**options)
        contexts.append(context)
        return context, _record(context)

    yield make
    for context in contexts:
        context.close()


def _axe(page: Page, traffic: Traffic) -> list[dict]:
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on ``page``; return the violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=AXE_JS)
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    traffic.auditing = True
    try:
        results = page.evaluate("options => axe.run(document, options)", options)
    finally:
        traffic.auditing = False
    return results["violations"]


def _describe(violations: list[dict]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations
    ]


# -- Every page, in every profile ---------------------------------------------


def _built_pages(site: Path) -> list[str]:
    """Every HTML page of the site, as paths relative to its root.

    ``_static/`` holds the themes' Jinja macro files (``webpack-macros.html``),
    copied as static assets; they are not pages.
    """
    return sorted(
        path.relative_to(site).as_posix()
        for path in site.rglob("*.html")
        if not path.relative_to(site).parts[0].startswith("_")
    )


@dataclasses.dataclass
class Visit:
    violations: list[dict]
    scroll_width: int
    client_width: int
    panel: dict | None  # the document-control panel's geometry and smallest font


# The panel as the reader sees it: None when the page has none.
PANEL_GEOMETRY = """panel => {
  if (!panel) return null;
  const box = panel.getBoundingClientRect();
  const sizes = [panel, ...panel.querySelectorAll('*')]
    .filter(el => [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
    .map(el => parseFloat(getComputedStyle(el).fontSize));
  return {visible: panel.checkVisibility(), left: box.left, right: box.right,
          width: box.width, text: panel.innerText, min_font_px: Math.min(...sizes)};
}"""


def _panel(page: Page) -> dict | None:
    return page.evaluate(f"({PANEL_GEOMETRY})(document.querySelector('{PANEL}'))")


@pytest.fixture(scope="module")
def visits(site, base_url, new_context) -> dict[str, tuple[dict[str, Visit], Traffic]]:
    """Open every page once in each profile; record axe results and page width."""
    recorded = {}
    for profile, (options, sample) in PROFILES.items():
        context, traffic = new_context(**options)
        page = context.new_page()
        results = {}
        for path in [f"{name}.html" for name in sample] if sample else _built_pages(site):
            page.goto(base_url + path, wait_until="load")
            width = page.evaluate(
                "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
            )
            results[path] = Visit(_axe(page, traffic), *width, _panel(page))
        page.close()
        recorded[profile] = (results, traffic)
    return recorded


def test_every_page_of_the_site_is_visited(handbook_html, site, visits):
    """The page list is the built site, not a guess: every document plus search (no empty genindex)."""
    expected = {f"{docname}.html" for docname in handbook_html.app.env.found_docs}
    expected |= {"search.html"}
    assert set(_built_pages(site)) == expected
    for profile, (_, sample) in PROFILES.items():
        results, _ = visits[profile]
        assert set(results) == ({f"{name}.html" for name in sample} if sample else expected), profile


@pytest.mark.parametrize("profile", PROFILES)
def test_no_page_has_an_accessibility_violation(visits, profile):
    results, _ = visits[profile]
    found = {path: _describe(visit.violations) for path, visit in results.items() if visit.violations}
    assert found == {}


@pytest.mark.parametrize("profile", PROFILES)
def test_no_request_leaves_localhost(visits, profile):
    results, traffic = visits[profile]
    assert len(traffic.requests) >= len(results)  # one document per page at least
    assert traffic.external() == []


@pytest.mark.parametrize("profile", PROFILES)
def test_no_missing_file_or_script_error(visits, profile):
    _, traffic = visits[profile]
    assert traffic.failures == [], "\n".join(traffic.failures)
    assert traffic.errors == []


def test_no_page_scrolls_sideways_on_a_phone(visits):
    results, _ = visits["phone-dark"]
    too_wide = {
        path: f"{visit.scroll_width}px of content in a {visit.client_width}px window"
        for path, visit in results.items()
        if visit.scroll_width > visit.client_width
    }
    assert too_wide == {}
    assert {visit.client_width for visit in results.values()} == {390}


def test_document_control_panel_is_readable_on_a_phone(handbook_html, visits):
    """Every controlled page shows its panel whole on a 390 px screen, in text of 14 px or more."""
    results, _ = visits["phone-dark"]
    controlled = {f"{doc.docname}.html" for doc in controlled_documents(handbook_html.app.env)}
    assert {path for path, visit in results.items() if visit.panel} == controlled
    assert len(controlled) >= 20
    problems = {}
    for path in sorted(controlled):
        panel = results[path].panel
        found = []
        if not panel["visible"]:
            found.append("hidden")
        if panel["left"] < 0 or panel["right"] > 390:
            found.append(f"spans {panel['left']:.0f}-{panel['right']:.0f}px of a 390px screen")
        if panel["min_font_px"] < MIN_PANEL_FONT_PX:
            found.append(f"text at {panel['min_font_px']}px")
        doc = document_control(handbook_html.app.env, path.removesuffix(".html"))
        if doc.id not in panel["text"] or doc.version not in panel["text"]:
            found.append(f"no {doc.id} v{doc.version} in {panel['text']!r}")
        if found:
            problems[path] = found
    assert problems == {}


# -- Single features -----------------------------------------------------------


def test_phone_navigation_drawer_is_accessible_and_fits(base_url, new_context):
    """On a phone the site navigation opens as a drawer from the menu button."""
    context, traffic = new_context(**PROFILES["phone-dark"][0])
    page = context.new_page()
    page.goto(f"{base_url}{PROTOCOL}.html")
    drawer = page.locator("dialog#pst-primary-sidebar-modal")
    assert not drawer.is_visible()
    page.get_by_role("button", name="Toggle primary sidebar").click()
    drawer.get_by_role("link", name="Patient guides").wait_for()
    box = drawer.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert _describe(_axe(page, traffic)) == []
    page.keyboard.press("Escape")
    drawer.wait_for(state="hidden")
    assert traffic.external() == [] and traffic.errors == []


def test_search_lists_the_expected_page(base_url, new_context):
    """A reader types in the search box and presses Enter, as on any page."""
    context, traffic = new_context(**PROFILES["desktop"][0])
    page = context.new_page()
    page.goto(f"{base_url}index.html")
    page.locator(".search-button-field:visible").first.click()
    field = page.locator("#pst-search-dialog input[name=q]")
    field.fill(SEARCH_QUERY)
    assert _describe(_axe(page, traffic)) == [], "search dialog open"
    field.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    page.locator("#search-results .search-summary").wait_for()
    hits = page.locator("#search-results ul.search li > a").evaluate_all(
        "links => links.map(a => new URL(a.href).pathname)"
    )
    assert f"/{SEARCH_EXPECTS}.html" in hits
    assert _describe(_axe(page, traffic)) == []
    assert traffic.external() == [] and traffic.errors == []


def _visible_text(page: Page, selector: str) -> list[str]:
    return page.locator(selector).evaluate_all(
        "nodes => nodes.filter(n => n.checkVisibility()).map(n => n.innerText.trim())"
    )


def test_printed_guide_has_no_navigation_and_shows_its_id_and_version(
    handbook_html, base_url, new_context
):
    doc = document_control(handbook_html.app.env, GUIDE)
    context, traffic = new_context(**PROFILES["desktop"][0])
    page = context.new_page()
    page.goto(f"{base_url}{GUIDE}.html")
    title = page.locator("article h1").first.evaluate("h => h.firstChild.textContent.trim()")
    page.emulate_media(media="print")
    for selector in (
        ".bd-header",
        ".bd-sidebar-primary",
        ".bd-sidebar-secondary",
        ".bd-header-article",
        ".prev-next-area",
        ".bd-footer",
        ".search-button-field",
        "nav.bd-links",
    ):
        assert _visible_text(page, selector) == [], f"{selector} is printed"
    # sphinx-book-theme prints its own copy of the title (#jb-print-docs-body).
    assert title in _visible_text(page, "h1")
    panel = _panel(page)
    assert panel and panel["visible"]
    fields = page.locator(f"{PANEL} dt").evaluate_all(
        "dts => Object.fromEntries(dts.map(dt => [dt.innerText.trim(), dt.nextElementSibling.innerText.trim()]))"
    )
    assert (fields["ID"], fields["Version"]) == (doc.id, doc.version)
    assert doc.id.startswith("PG-")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "guide-print.png", full_page=True)
    assert traffic.external() == [] and traffic.errors == []


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_for_review(base_url, new_context, device):
    """Saved under _build/screenshots/ for a person to look at; not compared."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context, traffic = new_context(**(DESKTOP if device == "desktop" else PHONE), color_scheme="light")
    page = context.new_page()
    viewport = page.viewport_size
    for name, docname in (("landing", LANDING), ("protocol", PROTOCOL), ("guide", GUIDE)):
        page.goto(f"{base_url}{docname}.html")
        path = SCREENSHOTS / f"{name}-{device}.png"
        path.unlink(missing_ok=True)
        # The whole page in a window as tall as the page: a full_page capture
        # cuts the theme's sticky contents sidebar short.
        height = page.evaluate("document.scrollingElement.scrollHeight")
        page.set_viewport_size({"width": viewport["width"], "height": height})
        page.screenshot(path=path)
        page.set_viewport_size(viewport)
        assert path.stat().st_size > 10_000, path
    assert traffic.external() == [] and traffic.errors == []


@pytest.mark.sphinx("html", testroot="a11y-markup")
def test_checklists_and_bibliography_pass_axe(app, new_context):
    """handbook.a11y's fixes, checked in the browser on a small project of their own."""
    app.build()
    context, traffic = new_context(**PROFILES["desktop"][0])
    page = context.new_page()
    with serve_directory(app.outdir) as url:
        for docname in ("index", "sources"):
            page.goto(f"{url}{docname}.html")
            assert page.locator("article input[type=checkbox], article .citation").count() >= 2
            assert _describe(_axe(page, traffic)) == [], docname
        # Each box is found by its item's text, as assistive technology names it.
        page.goto(f"{url}index.html")
        assert page.get_by_label("Baseline blood pressure recorded").is_checked()
        assert not page.get_by_label("Consent form signed").is_checked()
    assert traffic.external() == [] and traffic.failures == []


# -- Published editions: the version switcher --------------------------------

EDITIONS = ("2026.1", "2026.2")


@pytest.fixture(scope="module")
def archive(rootdir, tmp_path_factory) -> Path:
    """A small published archive laid out as ``make publish`` lays it out.

    Two editions of ``tests/roots/test-browser-editions`` (built with the
    handbook's theme settings, templates and CSS), ``switcher.json`` and the
    archive's front page.
    """
    site = tmp_path_factory.mktemp("archive")
    for edition in EDITIONS:
        warning = StringIO()
        app = SphinxTestApp(
            "html",
            srcdir=rootdir / "test-browser-editions",
            builddir=tmp_path_factory.mktemp(f"edition-{edition}"),
            confoverrides={"handbook_edition": edition},
            status=StringIO(),
            warning=warning,
        )
        try:
            app.build()
        finally:
            app.cleanup()
        assert strip_colors(warning.getvalue()) == ""
        shutil.copytree(app.outdir, site / edition)
        write_manifest(site / edition, build_manifest(site / edition, edition, "0" * 40, 0))
    assert update_front_files(site) == list(EDITIONS)
    assert verify_archive(site).ok
    return site


def _switcher_links(page: Page) -> list[tuple[str, str]]:
    page.wait_for_function(
        "n => document.querySelectorAll('.bd-header-article .version-switcher__menu a').length >= n",
        arg=len(EDITIONS),
    )
    links = page.locator(".bd-header-article .version-switcher__menu a").evaluate_all(
        "links => links.map(a => [a.innerText.trim(), new URL(a.href).pathname])"
    )
    return [tuple(link) for link in links]


def test_version_switcher_lists_the_editions(archive, new_context):
    context, traffic = new_context(**PROFILES["desktop"][0])
    page = context.new_page()
    with serve_directory(archive) as url:
        page.goto(f"{url}2026.2/protocols.html")
        assert _switcher_links(page) == [
            ("2026.2 (current)", "/2026.2/protocols.html"),
            ("2026.1", "/2026.1/protocols.html"),
        ]
        button = page.locator(".bd-header-article .version-switcher__button")
        assert button.inner_text().strip() == "2026.2 (current)"
        assert _describe(_axe(page, traffic)) == []
        button.click()
        choice = page.locator(".bd-header-article .version-switcher__menu a", has_text="2026.1")
        choice.wait_for()
        assert _describe(_axe(page, traffic)) == [], "menu open"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "switcher-desktop.png")
        choice.click()
        page.wait_for_url(f"{url}2026.1/protocols.html")
        _switcher_links(page)
        page.locator(".handbook-banner-archived").wait_for()
        assert _describe(_axe(page, traffic)) == [], "archived edition"
    assert traffic.external() == [] and traffic.failures == [] and traffic.errors == []


def test_version_switcher_fits_a_phone(archive, new_context):
    context, traffic = new_context(**PROFILES["phone-dark"][0])
    page = context.new_page()
    with serve_directory(archive) as url:
        page.goto(f"{url}2026.2/index.html")
        _switcher_links(page)
        button = page.locator(".bd-header-article .version-switcher__button")
        assert button.is_visible()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        width = page.evaluate(
            "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
        )
        assert width[0] <= width[1]
        assert _describe(_axe(page, traffic)) == []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "switcher-phone.png")
    assert traffic.external() == [] and traffic.failures == [] and traffic.errors == []
