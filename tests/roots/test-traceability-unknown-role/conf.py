import os
import sys

sys.path.insert(0, os.path.abspath("../../../_ext"))
extensions = ["myst_parser", "handbook"]
myst_enable_extensions = ["substitution", "colon_fence"]

# Front-matter validation is tested elsewhere; these pages carry only `covers`.
handbook_controlled_folders = {}
