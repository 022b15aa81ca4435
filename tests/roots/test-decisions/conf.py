import os
import sys

sys.path.insert(0, os.path.abspath("../../../_ext"))
extensions = ["myst_parser", "sphinxcontrib.bibtex", "handbook"]
myst_enable_extensions = ["substitution", "colon_fence"]
bibtex_bibfiles = ["references.bib"]
bibtex_reference_style = "author_year"
# The pages' dates are chosen around 2027-06-01.
handbook_build_date = "2027-06-01"
