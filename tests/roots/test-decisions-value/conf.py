import os
import sys

sys.path.insert(0, os.path.abspath("../../../_ext"))
extensions = ["myst_parser", "handbook"]
# Front matter is tested elsewhere: these pages carry none.
handbook_controlled_folders = {}
