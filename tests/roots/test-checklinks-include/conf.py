import os
import sys

sys.path.insert(0, os.path.abspath("../../../_ext"))
extensions = ["myst_parser", "handbook"]
myst_heading_anchors = 3
exclude_patterns = ["_snippets"]
