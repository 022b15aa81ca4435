"""``python -m handbook.devtools.benchmark``: what the handbook costs to build, and how that grows.

Generates synthetic handbooks (see :mod:`handbook.devtools.synthetic`) at several sizes
and times, in separate processes so each has a fresh interpreter:

* a clean HTML build with the real configuration;
* the same pages without the local extension (the theme's own cost);
* the same without the extension on Sphinx's plain ``alabaster`` theme (the floor);
* a one-page edit of a guide: the HTML rebuild plus that guide's PDF, both as
  ``make html pdf`` does it (a new ``sphinx-build`` per builder) and as
  ``python -m handbook preview`` does it (warm workers, see :mod:`handbook.preview`);
* PDF seconds per handout and per handbook page.

Every figure is the median of several runs, with min and max; the clean builds
of the three variants are interleaved so that a slow spell of a shared machine
falls on all of them. The report gives ratios measured in the same run
(extension and theme overhead, growth),
so the numbers mean something on any machine. Results go to
``results.json`` and ``results.md`` in the output directory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from handbook.devtools import synthetic

REPO_ROOT = Path(__file__).resolve().parents[3]

#: Runs one Sphinx build in a fresh interpreter and prints its peak memory.
BUILD_RUNNER = """
import json, resource, sys
from sphinx.cmd.build import build_main
srcdir, outdir, builder = sys.argv[1:4]
code = build_main(["-b", builder, "-n", "-W", "--keep-going", "-q",
                   "-d", outdir + "/.doctrees", srcdir, outdir])
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"code": code, "peak_mib": peak_kib / 1024}))
"""

#: The targets the issue sets; each is checked against this run's figures.
TARGETS = {
    "extension_overhead": ("<=", 1.10),
    "growth_1000_over_100": ("<=", 11.0),
    "incremental_edit_seconds_300": ("<=", 2.0),
    "pdf_seconds_per_handout": ("<=", 0.5),
    "pdf_seconds_per_handbook_page": ("<=", 0.1),
}


class BuildFailed(RuntimeError):
    pass


@dataclass
class Sample:
    """Repeated measurements of one quantity."""

    seconds: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "median": round(statistics.median(self.seconds), 3),
            "min": round(min(self.seconds), 3),
            "max": round(max(self.seconds), 3),
            "runs": len(self.seconds),
            "peak_mib": round(max(self.peak_mib), 1) if self.peak_mib else None,
        }


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run_build(srcdir: Path, outdir: Path, builder: str = "html", env: dict | None = None) -> tuple[float, float]:
    """Build ``srcdir`` in a fresh process; return (seconds, peak MiB)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", BUILD_RUNNER, str(srcdir), str(outdir), builder],
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed = time.perf_counter() - started
    report = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    if proc.returncode != 0 or not report or json.loads(report)["code"] != 0:
        raise BuildFailed(f"{builder} build of {srcdir} failed:\n{proc.stderr[-4000:]}")
    return elapsed, json.loads(report)["peak_mib"]


def edit_guide(srcdir: Path, run: int) -> Path:
    """Change one sentence of the first guide, as an author would."""
    page = srcdir / "patient-guides" / "guide-0001.md"
    text = page.read_text(encoding="utf-8")
    marker = "Call us with any question."
    text = text.replace(marker, f"{marker} Edit {run}.", 1) if f"Edit {run - 1}." not in text else text.replace(
        f"Edit {run - 1}.", f"Edit {run}."
    )
    page.write_text(text, encoding="utf-8")
    return page


def pdf_builder_name() -> str | None:
    """Name of the handbook's PDF builder, when the extension provides one."""
    try:
        from handbook.pdf.builder import HandbookPDFBuilder
    except ImportError:
        return None
    return HandbookPDFBuilder.name


def read_pdf_log(pdf_outdir: Path) -> list[dict]:
    """What the last PDF build rendered: one entry per PDF with its pages and seconds."""
    from handbook.pdf.builder import BUILD_LOG

    return json.loads((pdf_outdir / BUILD_LOG).read_text(encoding="utf-8"))


def pdf_figures(rendered: list[dict], pages: int, seconds: float, peak_mib: float) -> dict:
    """Seconds per handout and per handbook page from one full PDF build's log."""
    handouts = [entry["seconds"] for entry in rendered if entry["pdf"].startswith("handouts/")]
    handbook = [entry for entry in rendered if entry["pdf"] == "handbook.pdf"]
    if not handouts or not handbook:
        raise BuildFailed(f"the PDF build rendered no handouts or no handbook: {rendered}")
    return {
        "pages": pages,
        "handouts": len(handouts),
        "seconds_per_handout": round(statistics.median(handouts), 3),
        "seconds_per_handout_max": round(max(handouts), 3),
        "handbook_pdf_pages": handbook[0]["pages"],
        "seconds_per_handbook_page": round(handbook[0]["seconds"] / handbook[0]["pages"], 3),
        "build_seconds": round(seconds, 3),
        "peak_mib": round(peak_mib, 1),
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 3)


def check_targets(ratios: dict) -> dict:
    verdicts = {}
    for name, (op, limit) in TARGETS.items():
        value = ratios.get(name)
        verdicts[name] = {
            "value": value,
            "target": f"{op} {limit}",
            "met": None if value is None else value <= limit,
        }
    return verdicts


def measure_cli_edits(src: Path, out: Path, pdf_out: Path, pdf_builder: str | None, runs: int, env) -> dict:
    """One-page edits rebuilt as ``make html`` and ``make pdf`` do: a new process per builder."""
    sample = Sample()
    for run in range(1, runs + 1):
        edit_guide(src, run)
        log(f"one-page edit {run}: sphinx-build html, then sphinx-build {pdf_builder or '(no PDF builder)'}")
        seconds, peak = run_build(src, out, "html", env)
        if pdf_builder:
            pdf_seconds, pdf_peak = run_build(src, pdf_out, pdf_builder, env)
            seconds += pdf_seconds
            peak = max(peak, pdf_peak)
        sample.seconds.append(seconds)
        sample.peak_mib.append(peak)
    return edit_figures("cli", sample, src, pdf_out, pdf_builder)


#: Runs the warm preview builds in a fresh interpreter and times one-page edits.
PREVIEW_RUNNER = """
import json, resource, sys, time
from pathlib import Path
from handbook.devtools import benchmark
from handbook.devtools.preview import Target, WarmBuilds
src, out, pdf_out, pdf_builder, runs, first_edit = sys.argv[1:7]
targets = [Target("html", Path(out), Path(out) / ".doctrees")]
if pdf_builder:
    targets.append(Target(pdf_builder, Path(pdf_out), Path(pdf_out) / ".doctrees"))
seconds, failed = [], []
with WarmBuilds(Path(src), tuple(targets)) as builds:
    builds.rebuild()  # load both environments: what the preview does once, when it starts
    for run in range(int(first_edit), int(first_edit) + int(runs)):
        benchmark.edit_guide(Path(src), run)
        started = time.perf_counter()
        results = builds.rebuild()
        seconds.append(time.perf_counter() - started)
        failed += [r.builder for r in results if not r.ok]
peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"seconds": seconds, "failed": failed, "peak_mib": peak / 1024}))
"""


def measure_preview_edits(src: Path, out: Path, pdf_out: Path, pdf_builder: str | None, runs: int, env) -> dict:
    """One-page edits rebuilt by ``python -m handbook preview``'s warm workers (HTML and PDF at once)."""
    log(f"one-page edits x{runs}: warm preview workers (python -m handbook preview)")
    first_edit = 100  # after the CLI edits, so each edit changes the page again
    proc = subprocess.run(
        [sys.executable, "-c", PREVIEW_RUNNER, str(src), str(out), str(pdf_out), pdf_builder or "", str(runs),
         str(first_edit)],
        capture_output=True, text=True, env={**env, "PYTHONPATH": str(REPO_ROOT / "_ext")},
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise BuildFailed(f"preview edits of {src} failed:\n{proc.stderr[-4000:]}")
    report = json.loads(lines[-1])
    if report["failed"]:
        raise BuildFailed(f"preview edits of {src} failed in {sorted(set(report['failed']))}:\n{proc.stderr[-4000:]}")
    sample = Sample(seconds=report["seconds"], peak_mib=[report["peak_mib"]])
    return edit_figures("preview", sample, src, pdf_out, pdf_builder)


def edit_figures(mode: str, sample: Sample, src: Path, pdf_out: Path, pdf_builder: str | None) -> dict:
    """One edit benchmark's figures, with the PDFs the last edit rendered again."""
    rerendered = sorted(entry["pdf"] for entry in read_pdf_log(pdf_out)) if pdf_builder else []
    return {"pages": count_pages(src), "includes_pdf": bool(pdf_builder), "pdfs_rendered_after_edit": rerendered,
            "mode": mode, **sample.summary()}


def worst_overheads(sizes: dict[str, dict]) -> dict[str, float]:
    """The largest extension and theme overhead over every size with baselines.

    The target must hold at every size, so the worst one is checked: above
    ``handbook_sidebar_page_limit`` the extension's sidebar cache makes the real
    configuration cheaper than the baseline, which says nothing of smaller handbooks.
    """
    rows = [row["ratios"] for row in sizes.values() if "ratios" in row]
    return {name: max(row[name] for row in rows) for name in ("extension_overhead", "theme_overhead")}


def count_pages(src: Path) -> int:
    """Controlled pages in a synthetic project (its index pages left out)."""
    return sum(1 for folder in ("protocols", "patient-guides")
               for page in (src / folder).glob("*.md") if page.stem != "index")


def run_benchmark(
    sizes: list[int], runs: int, big_runs: int, workdir: Path, edit_size: int, variants_up_to: int = 300
) -> dict:
    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1767225600")}
    results: dict = {"sizes": {}, "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    for size in sizes:
        size_runs = big_runs if size >= 1000 else runs
        variants = {
            "handbook": dict(with_extension=True),
            "no_extension": dict(with_extension=False),
            "alabaster": dict(with_extension=False, theme="alabaster"),
        }
        if size > variants_up_to:
            # Both baselines resolve the whole navigation tree for every page (no
            # sidebar cache without the extension): minutes each at 1,000 pages.
            variants = {"handbook": variants["handbook"]}
        sources = {
            variant: synthetic.generate(REPO_ROOT, workdir / f"src-{size}-{variant}", size, **options)
            for variant, options in variants.items()
        }
        samples = {variant: Sample() for variant in variants}
        # Interleaved (handbook, no_extension, alabaster, handbook, ...): a slow
        # spell of a shared machine then hits every variant alike, not one.
        for run in range(size_runs):
            for variant, src in sources.items():
                log(f"{size} pages, {variant}: clean HTML build {run + 1} of {size_runs}")
                seconds, peak = run_build(src, workdir / f"out-{size}-{variant}" / f"html-clean-{run}", "html", env)
                samples[variant].seconds.append(seconds)
                samples[variant].peak_mib.append(peak)
        row = {variant: sample.summary() for variant, sample in samples.items()}
        if "alabaster" in row:
            row["ratios"] = {
                "extension_overhead": ratio(row["handbook"]["median"], row["no_extension"]["median"]),
                "theme_overhead": ratio(row["no_extension"]["median"], row["alabaster"]["median"]),
            }
        results["sizes"][str(size)] = row

    # One-page edit at edit_size: HTML rebuild, plus that guide's PDF when the builder exists.
    if edit_size in sizes:
        src, out = workdir / f"src-{edit_size}-handbook", workdir / f"out-{edit_size}-handbook" / "html-clean-0"
    else:
        src = synthetic.generate(REPO_ROOT, workdir / f"src-edit-{edit_size}", edit_size)
        out = workdir / f"out-edit-{edit_size}"
        log(f"{edit_size} pages: first HTML build before one-page edits")
        run_build(src, out, "html", env)
    # The PDF build sits beside the HTML, as in make (_build/html, _build/pdf).
    pdf_out = out.parent / f"{out.name}-pdf"
    pdf_builder = pdf_builder_name()
    if pdf_builder:
        log(f"{edit_size} pages: first PDF build (every handout and the staff handbook)")
        seconds, peak = run_build(src, pdf_out, pdf_builder, env)
        results["pdf"] = pdf_figures(read_pdf_log(pdf_out), edit_size, seconds, peak)
    edit_runs = max(runs, 3)
    results["incremental_edit_cli"] = measure_cli_edits(src, out, pdf_out, pdf_builder, edit_runs, env)
    results["incremental_edit"] = measure_preview_edits(src, out, pdf_out, pdf_builder, edit_runs, env)

    smallest, largest = str(min(sizes)), str(max(sizes))
    worst = worst_overheads(results["sizes"])
    edit_key = f"incremental_edit_seconds_{edit_size}"
    ratios = {
        **worst,
        f"growth_{largest}_over_{smallest}": ratio(
            results["sizes"][largest]["handbook"]["median"], results["sizes"][smallest]["handbook"]["median"]
        ),
        edit_key: results["incremental_edit"]["median"],
        f"incremental_edit_cli_seconds_{edit_size}": results["incremental_edit_cli"]["median"],
    }
    if "pdf" in results:
        ratios["pdf_seconds_per_handout"] = results["pdf"]["seconds_per_handout"]
        ratios["pdf_seconds_per_handbook_page"] = results["pdf"]["seconds_per_handbook_page"]
    results["ratios"] = ratios
    results["targets"] = check_targets(ratios)
    return results


def markdown_table(results: dict) -> str:
    lines = [
        "| Pages | Variant | Median s | Min s | Max s | Runs | Peak MiB |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    labels = {
        "handbook": "clean HTML, real configuration",
        "no_extension": "clean HTML, extension off (theme's own cost)",
        "alabaster": "clean HTML, extension off, alabaster (floor)",
    }
    for size, row in results["sizes"].items():
        for variant, s in row.items():
            if variant == "ratios":
                continue
            lines.append(
                f"| {size} | {labels[variant]} | {s['median']} | {s['min']} | {s['max']} | {s['runs']} | {s['peak_mib']} |"
            )
    for key, how in (("incremental_edit_cli", "sphinx-build html, then sphinx-build handbookpdf (make html pdf)"),
                     ("incremental_edit", "warm preview workers (python -m handbook preview)")):
        inc = results[key]
        what = "HTML rebuild + that guide's PDF" if inc["includes_pdf"] else "HTML rebuild"
        lines.append(
            f"| {inc['pages']} | one-page edit: {what}, {how} | {inc['median']} | {inc['min']} | {inc['max']} "
            f"| {inc['runs']} | {inc['peak_mib']} |"
        )
    if "pdf" in results:
        pdf = results["pdf"]
        lines.append(
            f"| {pdf['pages']} | first PDF build: {pdf['handouts']} handouts + staff handbook "
            f"({pdf['handbook_pdf_pages']} pages) | {pdf['build_seconds']} | | | 1 | {pdf['peak_mib']} |"
        )
    lines += ["", "| Ratio or figure | Value | Target | Met |", "| --- | ---: | --- | --- |"]
    for size, row in results["sizes"].items():
        for name, value in row.get("ratios", {}).items():
            lines.append(f"| {name} at {size} pages | {value} | | |")
    for name, value in results["ratios"].items():
        target = results["targets"].get(name)
        met = "" if not target or target["met"] is None else ("yes" if target["met"] else "**no**")
        lines.append(f"| {name} | {value} | {target['target'] if target else ''} | {met} |")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m handbook.devtools.benchmark",
        description="Measure what the handbook costs to build at several sizes, as ratios against "
        "baselines measured in the same run.",
    )
    parser.add_argument("--sizes", default="100,300,1000", help="comma-separated page counts (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement below 1,000 pages (default: %(default)s)")
    parser.add_argument("--big-runs", type=int, default=1, help="runs per measurement at 1,000 pages or more (default: %(default)s)")
    parser.add_argument("--variants-up-to", type=int, default=300,
                        help="largest size at which the two baselines are built too; above it only the real "
                        "configuration, for growth (default: %(default)s)")
    parser.add_argument("--edit-size", type=int, default=300, help="pages in the one-page-edit benchmark (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="100 pages, one run: a smoke test that the benchmark still works")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "_build" / "bench", help="where results go (default: _build/bench)")
    parser.add_argument("--workdir", type=Path, help="where synthetic projects are built (default: a temporary directory)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.big_runs, args.edit_size = "100", 1, 1, 100
    try:
        args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes takes whole numbers separated by commas, not {args.sizes!r}")
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes needs at least one page count of 1 or more")
    if args.runs < 1 or args.big_runs < 1:
        parser.error("--runs and --big-runs must be 1 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="handbook-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        try:
            results = run_benchmark(
                args.sizes, args.runs, args.big_runs, workdir, args.edit_size, args.variants_up_to
            )
        except BuildFailed as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    results["seconds_total"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    table = markdown_table(results)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (args.out / "results.md").write_text(table, encoding="utf-8")
    print(table)
    log(f"done in {results['seconds_total']} s; results in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
