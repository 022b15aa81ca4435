"""Sphinx configuration for the ketamine clinic protocol handbook.

Configuration is data: each section below is a block of settings. All logic
(validation, rendering, PDFs, publishing) lives in the local extension
``_ext/handbook``. Importing this file touches no network and reads no clock.
"""

import os
import sys

sys.path.insert(0, os.path.abspath("_ext"))

# -- Project ------------------------------------------------------------------
project = "Ketamine Clinic Protocol Handbook"
author = "the handbook's clinical leads"  # the theme's footer reads "By the handbook's clinical leads"
copyright = "the handbook's authors; text licensed CC BY 4.0"
language = "en"
root_doc = "index"
# Only these folders are handbook pages; everything else at the root (README,
# tests, build output, .venv) is not.
include_patterns = ["index.md", "protocols/**", "patient-guides/**", "reference/**"]
exclude_patterns = ["_build", "_site", ".venv"]
templates_path = ["_templates"]
html_static_path = ["_static"]

# -- MyST ---------------------------------------------------------------------
myst_enable_extensions = [
    "colon_fence",  # ::: fences for admonitions that contain Markdown
    "deflist",  # term / definition lists
    "substitution",  # {{ clinic.phone }} and other clinic settings
    "tasklist",  # - [ ] checklists staff tick
    "attrs_inline",  # {.class} on inline elements
]
myst_heading_anchors = 3

# -- Theme --------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "Ketamine Clinic Protocol Handbook"
html_last_updated_fmt = None  # the document-control panel carries the dates
html_theme_options = {
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
    # sphinx-book-theme 1.4 means to have no top bar, but with pydata-sphinx-theme
    # 0.20 its empty default is not applied and a second search field appears
    # above the page.
    "navbar_persistent": [],
    # No ReadTheDocs ad slot in a clinical handbook.
    "primary_sidebar_end": [],
    # The sidebar lists the top-level sections and expands only the one being
    # read. Rendering every page into every sidebar grows with the square of the
    # page count: on 300 synthetic pages it was 70% of the build (make bench).
    "collapse_navbar": True,
}
# Follow the reader's light/dark preference. Without an explicit default the
# theme's script finds an empty mode on a first visit and logs an error.
html_context = {"default_mode": "auto"}
html_css_files = ["handbook.css"]
html_copy_source = False
html_show_sourcelink = False
html_use_index = False  # no index entries in the handbook: an empty page, rewritten on every build

# -- Extensions ---------------------------------------------------------------
extensions = [
    "myst_parser",
    "sphinx_copybutton",
    "sphinxcontrib.bibtex",
    "handbook",
]
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "unsrt"
bibtex_reference_style = "author_year"

# Charting templates are copied into the patient record: the copy button
# copies a block verbatim (a line starting "$ " or "... " is text, not a
# prompt), leaving out only line numbers.
copybutton_exclude = ".linenos"
copybutton_prompt_text = ""
copybutton_remove_prompts = False
copybutton_only_copy_prompt_lines = False

# -- Clinic settings ----------------------------------------------------------
# Everything clinic-specific lives in this one block. Pages reach these values
# as MyST substitutions, e.g. {{ clinic.name }}, {{ clinic.phone }}.
# The defaults describe a FICTIONAL example clinic: 555-01xx numbers are
# reserved for fiction and reach no one. Replace them before real use.
handbook_clinic = {
    "name": "Example Ketamine Clinic",
    "phone": "555-0100",
    "after_hours_phone": "555-0199",
    "emergency_number": "911",
    "address": "100 Example Street, Exampletown",
    "medical_director_title": "Medical Director",
    "base_url": "",  # the handbook's public address, e.g. https://intranet.example/handbook/
}

# How often a controlled document must be reviewed, at most.
handbook_review_cycle_months = 36

# The edition this build belongs to; `make publish` sets it.
handbook_edition = os.environ.get("HANDBOOK_EDITION", "working copy (unpublished)")
# What changed since the previous edition (JSON); `make publish` writes it.
handbook_changes_file = os.environ.get("HANDBOOK_CHANGES", "")

# -- Translations -------------------------------------------------------------
# The patient guides in other languages (see README, "Translations"). Each
# language here gets its own build: _build/html/<lang>/ and _build/pdf/<lang>/.
# Adding a language is data only: its code here, its catalogs under locales/.
handbook_languages = ["es"]
locale_dirs = ["locales/"]
gettext_compact = False  # one catalog per guide: locales/es/LC_MESSAGES/patient-guides/<guide>.po
gettext_uuid = False
gettext_location = True  # each entry names the English page and line it comes from
# Reading level of each language's guides: the formula and the lowest passing
# score. Spanish: Szigriszt-Pazos on the INFLESZ scale, 65 = "bastante fácil".
handbook_readability_languages = {"es": {"formula": "szigriszt-pazos", "min_score": 65}}
# When every guide must have a translation in every language (a missing one is
# a warning, so the strict build fails). Turn on once the guides are translated.
handbook_translations_required = True

# -- Link checking ------------------------------------------------------------
# `make linkcheck` checks every external link (needs the internet; see README,
# "Link checking"). External links must be https: the handbook extension warns
# on any http:// link, which fails the strict build.
linkcheck_timeout = 15  # seconds per request
linkcheck_retries = 3  # a link is broken only after three failed tries
linkcheck_workers = 5
linkcheck_anchors = True  # https://host/page#section: the section must exist on the page
# On HTTP 429 ("too many requests") wait as long as the server's Retry-After
# asks, or else back off from 60 s, doubling each time; once the next wait
# would pass this many seconds, the link is reported broken.
linkcheck_rate_limit_timeout = 300.0
# A source that never answers is as useless to staff as a 404.
linkcheck_report_timeouts_as_broken = True
# Redirects are failures (a moved page may no longer say what we cite) except
# these, source URL pattern -> allowed destination pattern, each with its reason:
linkcheck_allowed_redirects = {
    # A DOI resolves by redirecting to the publisher's current page for the
    # article: that is what a DOI is for. The destination must still be https.
    r"https://doi\.org/10\.\d{4,9}/\S+": r"https://\S+",
}
