import os
import sys

sys.path.insert(0, os.path.abspath("../../../_ext"))
extensions = ["myst_parser", "handbook"]
handbook_http_allowed = [r"http://127\.0\.0\.1:\d+/"]
