"""The benchmark's quick mode runs end to end, so ``make bench`` cannot rot."""

from __future__ import annotations

import json

import pytest

from conftest import REPO_ROOT
from handbook.devtools import benchmark
from handbook.devtools import synthetic
from handbook.doccontrol.frontmatter import read_front_matter


def test_synthetic_pages_carry_valid_front_matter(tmp_path):
    src = synthetic.generate(REPO_ROOT, tmp_path / "src", 10)
    protocols = sorted((src / "protocols").glob("protocol-*.md"))
    guides = sorted((src / "patient-guides").glob("guide-*.md"))
    assert (len(protocols), len(guides)) == (7, 3)
    ids = set()
    for page in protocols + guides:
        fm = read_front_matter(page)
        assert fm.data["version"] == fm.data["history"][0]["version"]
        assert fm.data["effective"] == fm.data["history"][0]["date"]
        assert fm.data["owner"] != fm.data["approver"]
        ids.add(fm.data["id"])
    assert len(ids) == 10


def test_without_extension_the_config_drops_only_the_handbook_extension(tmp_path):
    src = synthetic.generate(REPO_ROOT, tmp_path / "src", 2, with_extension=False, theme="alabaster")
    conf = (src / "conf.py").read_text(encoding="utf-8")
    assert '"handbook",' not in conf
    assert '"myst_parser",' in conf
    assert conf.rstrip().endswith("html_theme_options = {}")
    assert "{local-decision}" not in (src / "protocols" / "protocol-0001.md").read_text(encoding="utf-8")


def test_strip_extension_refuses_a_conf_without_the_extension():
    with pytest.raises(ValueError, match='must list "handbook"'):
        synthetic.strip_extension('extensions = ["myst_parser"]\n')


def test_quick_benchmark_writes_results_and_ratios(tmp_path, capsys):
    assert benchmark.main(["--quick", "--out", str(tmp_path / "bench")]) == 0
    results = json.loads((tmp_path / "bench" / "results.json").read_text(encoding="utf-8"))
    row = results["sizes"]["100"]
    assert set(row) == {"handbook", "no_extension", "alabaster", "ratios"}
    for variant in ("handbook", "no_extension", "alabaster"):
        summary = row[variant]
        assert summary["runs"] == 1
        assert 0 < summary["min"] <= summary["median"] <= summary["max"]
        assert summary["peak_mib"] > 10
    ratios = results["ratios"]
    assert ratios["extension_overhead"] == round(row["handbook"]["median"] / row["no_extension"]["median"], 3)
    assert ratios["theme_overhead"] == round(row["no_extension"]["median"] / row["alabaster"]["median"], 3)
    for key, mode in (("incremental_edit_cli", "cli"), ("incremental_edit", "preview")):
        edit = results[key]
        assert (edit["mode"], edit["runs"], edit["includes_pdf"], edit["pages"]) == (mode, 3, True, 100)
        # An edit to one guide re-renders that guide's handout and nothing else.
        assert edit["pdfs_rendered_after_edit"] == ["handouts/guide-0001.pdf"], mode
    assert ratios["incremental_edit_seconds_100"] == results["incremental_edit"]["median"]
    assert ratios["incremental_edit_cli_seconds_100"] == results["incremental_edit_cli"]["median"]
    pdf = results["pdf"]
    assert pdf["handouts"] == 30 and pdf["handbook_pdf_pages"] >= 70
    assert ratios["pdf_seconds_per_handout"] == pdf["seconds_per_handout"] > 0
    assert ratios["pdf_seconds_per_handbook_page"] == pdf["seconds_per_handbook_page"] > 0
    assert results["targets"]["extension_overhead"]["target"] == "<= 1.1"
    table = (tmp_path / "bench" / "results.md").read_text(encoding="utf-8")
    assert table in capsys.readouterr().out
    assert "| 100 | clean HTML, extension off, alabaster (floor) |" in table
    assert "| 100 | one-page edit: HTML rebuild + that guide's PDF, warm preview workers" in table


def test_the_overhead_targets_are_checked_at_the_worst_size():
    sizes = {
        "100": {"ratios": {"extension_overhead": 1.15, "theme_overhead": 1.4}},
        "300": {"ratios": {"extension_overhead": 0.45, "theme_overhead": 1.8}},
        "1000": {"handbook": {}},  # no baselines at this size
    }
    assert benchmark.worst_overheads(sizes) == {"extension_overhead": 1.15, "theme_overhead": 1.8}
    assert benchmark.check_targets({"extension_overhead": 1.15})["extension_overhead"]["met"] is False


def test_bad_sizes_are_refused_with_a_message(capsys):
    with pytest.raises(SystemExit):
        benchmark.parse_args(["--sizes", "ten"])
    assert "--sizes takes whole numbers" in capsys.readouterr().err
