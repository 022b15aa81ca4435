"""``python -m handbook due`` (issue 21) on ``tests/roots/test-reviews``.

On 2027-06-01: PR-005 was due on 2027-05-20 (overdue by 12 days), PR-003 is
due on 2027-07-10 (in 39 days), PR-001 and PG-006 much later, PR-002 is
retired. ``conf.py`` sets ``handbook_review_due_days = 60``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT

ROOT = Path(__file__).resolve().parent.parent / "roots" / "test-reviews"


def due(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "_ext")}
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run([sys.executable, "-m", "handbook", "due", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


def test_overdue_document_is_listed_and_exits_1():
    result = due("--today", "2027-06-01")
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    # The window is handbook_review_due_days from conf.py (60), so PR-001 (2029) is not listed.
    assert result.stdout == (
        "2 documents due for review within 60 days of 2027-06-01, 1 overdue:\n"
        "PR-005  Infusion monitoring  Nurse Manager     2027-05-20  (overdue by 12 days)\n"
        "PR-003  Dose calculation     Medical Director  2027-07-10  (due in 39 days)\n"
    )


def test_days_narrows_the_window_and_nothing_overdue_exits_0():
    result = due("--today", "2027-05-01", "--days", "30")
    assert (result.returncode, result.stdout) == (0, "1 document due for review within 30 days of 2027-05-01:\n"
                                                    "PR-005  Infusion monitoring  Nurse Manager  2027-05-20  (due in 19 days)\n")
    result = due("--today", "2027-05-20", "--days", "0")
    assert (result.returncode, result.stdout.splitlines()[1]) == (
        0, "PR-005  Infusion monitoring  Nurse Manager  2027-05-20  (due today)")
    result = due("--today", "2027-01-01", "--days", "7")
    assert (result.returncode, result.stdout) == (0, "No document is due for review within 7 days of 2027-01-01.\n")


def test_json_output(tmp_path):
    result = due("--today", "2027-06-01", "--json", "--source", str(ROOT), cwd=tmp_path)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["today"] == "2027-06-01" and report["days"] == 60 and report["overdue"] == 1
    assert report["documents"][0] == {
        "id": "PR-005", "title": "Infusion monitoring", "owner": "Nurse Manager", "status": "active",
        "review_by": "2027-05-20", "path": "protocols/infusion-monitoring.md", "days_left": -12, "overdue": True,
    }
    assert [doc["id"] for doc in report["documents"]] == ["PR-005", "PR-003"]


def test_unreadable_page_exits_2_naming_file_and_line(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src)
    page = src / "protocols" / "dose-calculation.md"
    page.write_text(page.read_text(encoding="utf-8").replace("review-by: 2027-07-10", "review-by: soon"), encoding="utf-8")
    result = due("--today", "2027-06-01", cwd=src)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "due: protocols/dose-calculation.md:6: review-by must be a date written YYYY-MM-DD, not 'soon'\n"
    result = due(cwd=tmp_path)
    assert result.returncode == 2
    assert "has none of the controlled folders (protocols, patient-guides)" in result.stderr


def test_help_and_make_target():
    result = due("--help")
    assert result.returncode == 0
    assert "--days N" in result.stdout and "--json" in result.stdout and "--today YYYY-MM-DD" in result.stdout
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\ndue: $(VENV_STAMP) ## " in makefile and "$(HANDBOOK) due" in makefile
