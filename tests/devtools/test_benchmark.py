"""The benchmark's quick mode runs end to end, so ``make bench`` cannot rot.

The MkDocs Material baseline runs from ``.venv-mkdocs`` (``make test`` installs
it from the exact pins in bench/requirements-mkdocs.txt, as it installs ``.venv``).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

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


def test_a_small_handbook_covers_every_guidance_point_through_its_first_protocol(tmp_path):
    small = synthetic.generate(REPO_ROOT, tmp_path / "small", 10)
    assert read_front_matter(small / "protocols" / "protocol-0001.md").data["covers"] == synthetic.GUIDANCE_POINTS
    assert len(read_front_matter(small / "protocols" / "protocol-0002.md").data["covers"]) == 2
    # From 36 pages the protocols cover every point in turn; protocol 1 is like the others.
    assert not synthetic.covers_all_points(36) and synthetic.covers_all_points(35)
    assert synthetic.protocol_page(1, True) == synthetic.page_text("protocol", 1, 100, True)


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


def test_quick_benchmark_writes_results_and_ratios(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SPHINXJOBS", raising=False)
    assert benchmark.main(["--quick", "--out", str(tmp_path / "bench")]) == 0
    results = json.loads((tmp_path / "bench" / "results.json").read_text(encoding="utf-8"))
    row = results["sizes"]["20"]
    assert set(row) == {"handbook", "handbook_parallel", "no_extension", "alabaster", "mkdocs", "ratios"}
    for variant in ("handbook", "handbook_parallel", "no_extension", "alabaster", "mkdocs"):
        summary = row[variant]
        assert summary["runs"] == 1
        assert 0 < summary["min"] <= summary["median"] <= summary["max"]
        assert summary["peak_mib"] > 10
    ratios = results["ratios"]
    # Ratios are of the unrounded medians; the summaries are rounded to milliseconds.
    def of(a, b):
        return pytest.approx(a / b, rel=2e-3)

    assert ratios["extension_overhead"] == of(row["handbook"]["median"], row["no_extension"]["median"])
    assert ratios["theme_overhead"] == of(row["no_extension"]["median"], row["alabaster"]["median"])
    assert row["ratios"]["parallel_speedup"] == of(row["handbook"]["median"], row["handbook_parallel"]["median"])
    # The peer baseline: MkDocs Material, built in the same run; make builds serially (SPHINXJOBS=1).
    assert results["make_jobs"] == "1"
    assert ratios["clean_build_over_mkdocs_20"] == of(row["handbook"]["median"], row["mkdocs"]["median"])
    assert ratios["peak_memory_over_mkdocs"] == of(row["handbook"]["peak_mib"], row["mkdocs"]["peak_mib"])
    assert row["ratios"]["clean_build_over_mkdocs_parallel"] == of(row["handbook_parallel"]["median"], row["mkdocs"]["median"])
    assert results["machine"]["mkdocs"] == "mkdocs 1.6.1, mkdocs-material 9.8.2"
    for key, mode in (("incremental_edit_cli", "cli"), ("incremental_edit", "preview")):
        edit = results[key]
        assert (edit["mode"], edit["runs"], edit["includes_pdf"], edit["pages"]) == (mode, 1, True, 20)
        # An edit to one guide re-renders that guide's handout and nothing else.
        assert edit["pdfs_rendered_after_edit"] == ["handouts/guide-0001.pdf"], mode
    # The edit loop: the same edit saved under make preview and mkdocs serve, timed to the log line.
    loop = results["edit_loop"]
    assert set(loop) == {"preview", "mkdocs_serve", "mkdocs_serve_dirty"}
    assert all(figures["runs"] == 1 and figures["median"] > 0 for figures in loop.values())
    assert ratios["edit_loop_over_mkdocs_serve_20"] == of(loop["preview"]["median"], loop["mkdocs_serve"]["median"])
    assert ratios["incremental_edit_seconds_20"] == results["incremental_edit"]["median"]
    assert ratios["incremental_edit_cli_seconds_20"] == results["incremental_edit_cli"]["median"]
    pdf = results["pdf"]
    assert pdf["handouts"] == 6 and pdf["handbook_pdf_pages"] >= 14
    assert ratios["pdf_seconds_per_handout"] == pdf["seconds_per_handout"] > 0
    assert ratios["pdf_seconds_per_handbook_page"] == pdf["seconds_per_handbook_page"] > 0
    assert results["targets"]["extension_overhead"]["target"] == "<= 1.1"
    # The 300-page targets are not measured in quick mode, and say so.
    assert results["targets"]["clean_build_over_mkdocs_300"]["met"] is None
    assert results["targets"]["peak_memory_over_mkdocs"]["met"] is not None
    table = (tmp_path / "bench" / "results.md").read_text(encoding="utf-8")
    assert table in capsys.readouterr().out
    assert "| 20 | clean HTML, extension off, alabaster (floor) |" in table
    assert "| 20 | clean HTML, MkDocs Material (`mkdocs build --strict`) |" in table
    assert "| 20 | one-page edit: HTML rebuild + that guide's PDF, warm preview workers" in table
    assert "| 20 | edit loop: save to rebuilt, `mkdocs serve --dirty` |" in table
    assert "| clean_build_over_mkdocs_300 | | <= 2.0 | not measured |" in table


def test_mkdocs_pages_are_the_synthetic_pages_converted(tmp_path):
    project = synthetic.generate_mkdocs(tmp_path / "mkdocs", 10)
    docs = project / "docs"
    assert sorted(p.name for p in (docs / "protocols").glob("protocol-*.md")) == [f"protocol-{n:04d}.md" for n in range(1, 8)]
    page = (docs / "protocols" / "protocol-0002.md").read_text(encoding="utf-8")
    assert page.startswith("# Synthetic protocol 2\n\n**PR-002** \N{MIDDLE DOT} version 1.3 \N{MIDDLE DOT} active")
    assert "| 1.0 | 2025-06-01 | First approved version |" in page
    assert '!!! note "Local decision \N{EM DASH} confirm with the medical director"\n\n    Recheck blood pressure' in page
    assert "informs this step (Sanacora et al., 2017)." in page
    for text in [p.read_text(encoding="utf-8") for p in docs.rglob("*.md")]:
        assert "```{" not in text and "{cite" not in text and not text.startswith("---")
    guide = (docs / "patient-guides" / "guide-0001.md").read_text(encoding="utf-8")
    assert '!!! danger "Call 911 if"\n\n    - You have chest pain.' in guide
    # The same sentence as the Sphinx page, so one edit is the same edit in both.
    assert "Call us with any question." in guide


def test_mkdocs_material_builds_the_converted_pages_strictly(tmp_path):
    project = synthetic.generate_mkdocs(tmp_path / "mkdocs", 10)
    mkdocs = benchmark.DEFAULT_MKDOCS
    assert mkdocs.exists(), f"{mkdocs} is missing: run `make mkdocs-venv` (make test installs it)"
    seconds, peak = benchmark.run_mkdocs_build(mkdocs, project, tmp_path / "site", benchmark.mkdocs_env({}))
    assert seconds > 0 and peak > 10
    soup = BeautifulSoup((tmp_path / "site" / "protocols" / "protocol-0002" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    assert soup.select_one("div.admonition.note > p.admonition-title").get_text() == (
        "Local decision \N{EM DASH} confirm with the medical director")
    assert len(soup.select("li.task-list-item")) == 3
    assert soup.select_one("article a[href='../protocol-0001/']").get_text() == "the previous protocol"
    assert "googleapis" not in str(soup)  # no request to another host, as the handbook makes none


def test_a_build_is_not_measured_at_the_size_of_the_process_that_started_it(tmp_path):
    """Linux carries a parent's peak into ru_maxrss across vfork and exec; the benchmark reads VmHWM."""
    ballast = b"x" * (400 * 1024 * 1024)  # 400 MiB resident in this (the starting) process
    project = synthetic.generate_mkdocs(tmp_path / "mkdocs", 4)
    _, peak = benchmark.run_mkdocs_build(benchmark.DEFAULT_MKDOCS, project, tmp_path / "site", {})
    assert 10 < peak < 200, peak
    assert len(ballast) == 400 * 1024 * 1024


def test_mkdocs_conversion_refuses_what_it_cannot_convert():
    with pytest.raises(ValueError, match=r"MyST directive \{call-clinic\}"):
        synthetic.to_mkdocs("# T\n\n```{call-clinic}\nText\n```\n")
    with pytest.raises(ValueError, match="citation 'smith2020'"):
        synthetic.to_mkdocs("# T\n\nSee {cite:p}`smith2020`.\n")
    with pytest.raises(ValueError, match="no MkDocs conversion for '{term}`dose`"):
        synthetic.to_mkdocs("# T\n\nThe {term}`dose`.\n")


def test_edit_guide_changes_the_sentence_each_time(tmp_path):
    src = synthetic.generate(REPO_ROOT, tmp_path / "src", 4)
    page = src / "patient-guides" / "guide-0001.md"
    texts = []
    for run in (1, 2, 2, 300):
        benchmark.edit_guide(src, run)
        texts.append(page.read_text(encoding="utf-8"))
    assert "Call us with any question. Edit 1.\n" in texts[0]
    assert texts[1] == texts[2] == texts[0].replace("Edit 1.", "Edit 2.")
    assert texts[3].count("Edit") == 1


def test_a_silent_server_fails_after_its_timeout_naming_what_it_waited_for():
    server = benchmark.DevServer("silent", [sys.executable, "-c", "print('starting', flush=True); import time; time.sleep(60)"], {})
    try:
        with pytest.raises(benchmark.BuildFailed, match=r"silent: no line matching 'Serving on' within 1 s; it printed:\nstarting"):
            server.wait_for("Serving on", 1)
    finally:
        server.stop()
    assert server.proc.returncode is not None


def test_a_server_that_logs_an_error_fails_at_once():
    server = benchmark.DevServer("broken", [sys.executable, "-c", "print('ERROR - no docs'); import time; time.sleep(60)"], {})
    try:
        with pytest.raises(benchmark.BuildFailed, match="broken failed:\nERROR - no docs"):
            server.wait_for("Serving on", 30, failed="ERROR")
    finally:
        server.stop()


def test_targets_say_met_not_met_or_not_measured():
    verdicts = benchmark.check_targets({"edit_loop_over_mkdocs_serve_300": 1.0, "clean_build_over_mkdocs_300": 2.0})
    assert verdicts["edit_loop_over_mkdocs_serve_300"]["met"] is False  # "beats": strictly below
    assert verdicts["clean_build_over_mkdocs_300"]["met"] is True  # "at most"
    assert [benchmark.verdict(verdicts[name]) for name in
            ("edit_loop_over_mkdocs_serve_300", "clean_build_over_mkdocs_300", "peak_memory_over_mkdocs")] == [
        "**not met**", "met", "not measured"]


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
