"""A small project for the issue-18 browser tests: copy, print, search, axe.

Its theme settings, templates, CSS and copy-button settings are the
handbook's own (read from the real conf.py), so the tests see what readers see.
"""

import runpy
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "_ext"))
_handbook = runpy.run_path(str(REPO / "conf.py"))

project = "Field test"
author = "The handbook test suite"
language = "en"
extensions = ["myst_parser", "sphinx_copybutton", "handbook"]
myst_enable_extensions = _handbook["myst_enable_extensions"]
html_theme = _handbook["html_theme"]
html_theme_options = _handbook["html_theme_options"]
html_context = _handbook["html_context"]
html_css_files = _handbook["html_css_files"]
templates_path = [str(REPO / "_templates")]
html_static_path = [str(REPO / "_static")]
html_use_index = False
for _name, _value in _handbook.items():
    if _name.startswith("copybutton_"):
        globals()[_name] = _value
