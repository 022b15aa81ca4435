import os
import sys

sys.path.insert(0, os.path.abspath("../../../_ext"))
extensions = ["myst_parser", "handbook"]
# The pages' dates are chosen around 2027-06-01.
handbook_build_date = "2027-06-01"
