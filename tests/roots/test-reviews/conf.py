import os
import sys

sys.path.insert(0, os.path.abspath("../../../_ext"))
extensions = ["myst_parser", "handbook"]
project = "Reviews test handbook"
html_title = "Reviews test handbook"
# Read by the build (the feed's reminder) and by `python -m handbook due` (its default window).
handbook_review_due_days = 60
handbook_sign_sheet_rows = 3
