import os
import sys

sys.path.insert(0, os.path.abspath("../../../_ext"))
extensions = ["myst_parser", "handbook"]
