import os
import sys

sys.path.insert(0, os.path.abspath("../../../_ext"))
project = "Test Handbook"
html_title = "Test Clinic Handbook"
language = "en"
extensions = ["myst_parser", "handbook"]
myst_enable_extensions = ["substitution", "colon_fence", "tasklist"]
myst_heading_anchors = 3
handbook_build_date = "2026-11-20"
handbook_edition = "2026.1"
handbook_clinic = {
    "name": "Riverside Test Clinic",
    "phone": "555-0142",
    "after_hours_phone": "555-0143",
    "base_url": "https://handbook.example/",
}
