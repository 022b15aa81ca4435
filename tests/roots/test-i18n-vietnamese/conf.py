"""A second language with no code: Vietnamese, from conf.py and files under locales/vi/ only."""

project = "Translation test"
extensions = ["myst_parser", "handbook"]
myst_enable_extensions = ["colon_fence", "substitution"]
exclude_patterns = ["_build"]
handbook_build_date = "2026-11-29"
handbook_languages = ["vi"]
locale_dirs = ["locales/"]
gettext_compact = False
