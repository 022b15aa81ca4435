import os
import sys

sys.path.insert(0, os.path.abspath("../../../_ext"))
project = "Test Handbook"
extensions = ["myst_parser", "handbook"]
handbook_build_date = "2026-11-20"
handbook_readability_docs = []
