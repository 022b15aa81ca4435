import os
import sys

sys.path.insert(0, os.path.abspath("../../../_ext"))
extensions = ["myst_parser", "handbook"]
# Tests set handbook_build_date; the pages' dates are chosen around 2027-06-01.
