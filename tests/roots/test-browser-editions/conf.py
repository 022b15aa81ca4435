"""A two-page project for the version-switcher browser test.

Its theme settings, templates and CSS are the handbook's own (read from the
real conf.py), so the switcher is checked as readers see it.
"""

import runpy
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "_ext"))
_handbook = runpy.run_path(str(REPO / "conf.py"))

project = "Edition test"
author = "The handbook test suite"
extensions = ["myst_parser", "handbook"]
html_theme = _handbook["html_theme"]
html_theme_options = _handbook["html_theme_options"]
html_context = _handbook["html_context"]
html_css_files = _handbook["html_css_files"]
templates_path = [str(REPO / "_templates")]
html_static_path = [str(REPO / "_static")]
