import os
import sys

sys.path.insert(0, os.path.abspath("../../../_ext"))
extensions = ["myst_parser", "handbook"]
myst_enable_extensions = ["tasklist"]
html_theme = "sphinx_book_theme"
# The handbook's template fixes for the theme (search button named by what it
# shows), found from the extension (the test copies this project elsewhere).
import handbook  # noqa: E402

templates_path = [os.path.join(os.path.dirname(handbook.__file__), "..", "..", "_templates")]
