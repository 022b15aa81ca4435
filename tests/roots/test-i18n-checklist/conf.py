"""A translated checklist: every item keeps its tick box, translated or not."""

from pathlib import Path

import handbook

REPO = Path(handbook.__file__).resolve().parents[2]

project = "Translation test"
extensions = ["myst_parser", "handbook"]
myst_enable_extensions = ["colon_fence", "substitution", "tasklist"]
exclude_patterns = ["_build"]
handbook_build_date = "2026-11-29"
handbook_languages = ["es"]
locale_dirs = ["locales/"]
gettext_compact = False
handbook_glossary_files = {"es": [str(REPO / "locales" / "es" / "glossary.yaml")]}
