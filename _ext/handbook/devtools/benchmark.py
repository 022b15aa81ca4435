"""``python -m handbook.devtools.benchmark``: what the handbook costs to build, and how that grows.

Generates synthetic handbooks (see :mod:`handbook.devtools.synthetic`) at several sizes
and times, in separate processes so each has a fresh interpreter:

* a clean HTML build with the real configuration;
* the same pages without the local extension (the theme's own cost);
* the same without the extension on Sphinx's plain ``alabaster`` theme (the floor);
* a one-page edit of a guide: the HTML rebuild plus that guide's PDF, both as
  ``make html pdf`` does it (a new ``sphinx-build`` per builder) and as
  ``python -m handbook preview`` does it (warm workers, see :mod:`handbook.preview`);
* PDF seconds per handout and per handbook page;
* the peer baseline, MkDocs Material: a clean ``mkdocs build --strict`` of the
  same pages converted for MkDocs (:func:`handbook.devtools.synthetic.generate_mkdocs`),
  run from its own virtual environment (``make mkdocs-venv``, ``.venv-mkdocs``);
* the edit loop as an author sees it: the same one-guide edit saved under
  ``python -m handbook preview`` (``make preview``) and under ``mkdocs serve``
  (default mode and ``--dirty``), each server running on 127.0.0.1, timed
  from the file write to the server's "rebuilt" log line.

Every figure is the median of several runs, with min and max; the clean builds
of the variants, MkDocs included, are interleaved so that a slow spell of a
shared machine falls on all of them, and so are the three servers' edits. The
report gives ratios measured in the same run (extension and theme overhead,
growth, handbook over MkDocs), so the numbers mean something on any machine.
Peak memory is the largest resident set of the build's process tree
(``wait4``), the same measure for Sphinx and MkDocs. Results go to
``results.json`` and ``results.md`` in the output directory.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from handbook.devtools import synthetic
from handbook.devtools.preview import make_targets

REPO_ROOT = Path(__file__).resolve().parents[3]

#: The MkDocs of the peer baseline: ``make`` exports HANDBOOK_MKDOCS (.venv-mkdocs/bin/mkdocs).
DEFAULT_MKDOCS = Path(os.environ.get("HANDBOOK_MKDOCS") or REPO_ROOT / ".venv-mkdocs" / "bin" / "mkdocs")

#: Prints the peak resident set of this process since its ``exec`` (``VmHWM``), as the last line.
#: Not ``getrusage``: its ``ru_maxrss`` also keeps the peak of the process that
#: started this one (Linux carries it across ``vfork`` and ``exec``), so a small
#: build started from a large pytest process would be measured at pytest's size.
REPORT_PEAK = """
def _report(code):
    import json
    with open("/proc/self/status") as status:
        hwm_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"code": code, "hwm_mib": hwm_kib / 1024}))
"""

#: Runs one Sphinx build in a fresh interpreter and reports its peak.
BUILD_RUNNER = REPORT_PEAK + """
import sys
from sphinx.cmd.build import build_main
srcdir, outdir, doctreedir, builder, jobs = sys.argv[1:6]
_report(build_main(["-b", builder, "-n", "-W", "--keep-going", "-q", "-j", jobs, "-d", doctreedir, srcdir, outdir]))
"""

#: Runs ``mkdocs ARGS`` in the MkDocs environment's interpreter and reports its peak.
MKDOCS_RUNNER = REPORT_PEAK + """
import sys, traceback
from mkdocs.__main__ import cli
try:
    cli.main(args=sys.argv[1:], prog_name="mkdocs", standalone_mode=False)
    code = 0
except SystemExit as stop:
    code = stop.code or 0
except BaseException:
    traceback.print_exc()
    code = 1
_report(code)
"""

#: How often the memory of a build's processes is added up (seconds).
MEMORY_SAMPLE_SECONDS = 0.1

#: The targets the issues set; each is checked against this run's figures.
#: (operator, limit): "<=" at most the limit, "<" below it.
TARGETS = {
    "extension_overhead": ("<=", 1.10),
    "growth_1000_over_100": ("<=", 11.0),
    "incremental_edit_seconds_300": ("<=", 2.0),
    "pdf_seconds_per_handout": ("<=", 0.5),
    "pdf_seconds_per_handbook_page": ("<=", 0.1),
    # Issue 22: the peer baseline, MkDocs Material.
    "edit_loop_over_mkdocs_serve_300": ("<", 1.0),
    "clean_build_over_mkdocs_300": ("<=", 2.0),
    "peak_memory_over_mkdocs": ("<=", 2.0),
}

#: Pages in ``--quick`` mode (``make test``): every measurement, in about a minute on an idle 2-core machine.
QUICK_PAGES = 20

#: Seconds to wait for a development server: its first build, then each rebuild.
SERVER_START_TIMEOUT = 600
SERVER_REBUILD_TIMEOUT = 180
#: Pause before each edit, so the servers' file watchers are idle when it lands.
SERVER_SETTLE_SECONDS = 1.0


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


def process_tree(root: int) -> list[int]:
    """``root`` and every process descended from it, from ``/proc/*/stat``."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def tree_pss_mib(root: int) -> float:
    """The proportional set size (PSS) of ``root``'s process tree, in MiB.

    PSS counts a page shared by several processes once in all (each gets its
    share), so forked build workers are not counted twice for the pages they
    share with their parent.
    """
    total_kib = 0
    for pid in process_tree(root):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kib += int(line.split()[1])
                    break
        except (OSError, ValueError):
            continue
    return total_kib / 1024


def run_measured(argv: list[str], env: dict | None = None) -> tuple[float, float, int, str, str]:
    """Run ``argv`` to the end; return (seconds, peak tree PSS MiB, exit code, stdout, stderr).

    The peak is the largest proportional set size (PSS) of the whole process
    tree, summed every :data:`MEMORY_SAMPLE_SECONDS`: what a build that runs
    workers at once (``sphinx-build -j``) holds together. The runners add their
    own peak resident set (:data:`REPORT_PEAK`), see :func:`peak_of`.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        sampled = [0.0]
        finished = threading.Event()

        def sample() -> None:
            while not finished.wait(MEMORY_SAMPLE_SECONDS):
                sampled[0] = max(sampled[0], tree_pss_mib(proc.pid))

        sampler = threading.Thread(target=sample, name="bench-memory", daemon=True)
        sampler.start()
        try:
            proc.wait()
        finally:
            finished.set()
            sampler.join()
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return (elapsed, sampled[0], proc.returncode,
                out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def peak_of(stdout: str, tree_pss_mib: float) -> tuple[int | None, float]:
    """(exit code, peak MiB) from a runner's report line and the sampled tree.

    The peak is the larger of the main process's own peak resident set
    (``VmHWM``, exact, for a build in one process; PSS is never above it) and
    the tree's sampled PSS (for workers running at once). Sphinx and MkDocs are
    measured the same way. The code is None when the runner printed no report.
    """
    lines = stdout.strip().splitlines()
    try:
        report = json.loads(lines[-1])
    except (IndexError, ValueError):
        return None, tree_pss_mib
    return report["code"], max(report["hwm_mib"], tree_pss_mib)


def run_build(srcdir: Path, outdir: Path, builder: str = "html", env: dict | None = None,
              doctreedir: Path | None = None, jobs: str = "1") -> tuple[float, float]:
    """Build ``srcdir`` in a fresh process; return (seconds, peak MiB).

    Doctrees go to ``doctreedir`` (default ``outdir/.doctrees``); ``jobs`` is
    ``sphinx-build -j`` ("1", "2", "auto").
    """
    doctreedir = doctreedir or outdir / ".doctrees"
    elapsed, tree_peak, code, stdout, stderr = run_measured(
        [sys.executable, "-c", BUILD_RUNNER, str(srcdir), str(outdir), str(doctreedir), builder, jobs], env
    )
    build_code, peak = peak_of(stdout, tree_peak)
    if code != 0 or build_code != 0:
        raise BuildFailed(f"{builder} build of {srcdir} failed:\n{stderr[-4000:]}")
    return elapsed, peak


def mkdocs_env(env: dict) -> dict:
    """``env`` for MkDocs: Material 9.8's notice about MkDocs 2.0 turned off (it is not a build message)."""
    return {**env, "NO_MKDOCS_2_WARNING": "1"}


def run_mkdocs_build(mkdocs: Path, project: Path, outdir: Path, env: dict) -> tuple[float, float]:
    """``mkdocs build --strict`` of ``project`` in a fresh process; return (seconds, peak MiB).

    Run by the interpreter beside ``mkdocs`` (its virtual environment), as the
    ``mkdocs`` command would, so it can report its peak as the Sphinx builds do.
    """
    elapsed, tree_peak, code, stdout, stderr = run_measured(
        [str(mkdocs.parent / "python"), "-c", MKDOCS_RUNNER, "build", "--strict", "--quiet",
         "-f", str(project / "mkdocs.yml"), "-d", str(outdir)],
        mkdocs_env(env),
    )
    build_code, peak = peak_of(stdout, tree_peak)
    if code != 0 or build_code != 0:
        raise BuildFailed(f"mkdocs build of {project} failed:\n{stderr[-4000:]}")
    return elapsed, peak


#: The sentence an edit changes, with the edit number the last edit added.
_EDITED_SENTENCE = re.compile(r"Call us with any question\.(?: Edit \d+\.)?")


def edit_guide(srcdir: Path, run: int) -> Path:
    """Change one sentence of the first guide, as an author would.

    ``srcdir`` holds ``patient-guides/`` (a Sphinx project, or a MkDocs
    project's ``docs``); each ``run`` number gives a different sentence.
    """
    page = srcdir / "patient-guides" / "guide-0001.md"
    text = page.read_text(encoding="utf-8")
    text, count = _EDITED_SENTENCE.subn(f"Call us with any question. Edit {run}.", text, count=1)
    if count != 1:
        raise BuildFailed(f"{page} has no sentence to edit")
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
    """Each target of :data:`TARGETS` against ``ratios``; ``met`` is None when this run did not measure it."""
    verdicts = {}
    for name, (op, limit) in TARGETS.items():
        value = ratios.get(name)
        verdicts[name] = {
            "value": value,
            "target": f"{op} {limit}",
            "met": None if value is None else (value <= limit if op == "<=" else value < limit),
        }
    return verdicts


def measure_cli_edits(src: Path, out: Path, pdf_out: Path, pdf_builder: str | None, runs: int, env,
                      doctreedir: Path | None = None) -> dict:
    """One-page edits rebuilt as ``make html`` and ``make pdf`` do: a new process per builder."""
    sample = Sample()
    for run in range(1, runs + 1):
        edit_guide(src, run)
        log(f"one-page edit {run}: sphinx-build html, then sphinx-build {pdf_builder or '(no PDF builder)'}")
        seconds, peak = run_build(src, out, "html", env, doctreedir)
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
src, out, doctrees, pdf_out, pdf_builder, runs, first_edit = sys.argv[1:8]
targets = [Target("html", Path(out), Path(doctrees))]
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


def measure_preview_edits(src: Path, out: Path, pdf_out: Path, pdf_builder: str | None, runs: int, env,
                          doctreedir: Path | None = None) -> dict:
    """One-page edits rebuilt by ``python -m handbook preview``'s warm workers (HTML and PDF at once)."""
    log(f"one-page edits x{runs}: warm preview workers (python -m handbook preview)")
    first_edit = 100  # after the CLI edits, so each edit changes the page again
    proc = subprocess.run(
        [sys.executable, "-c", PREVIEW_RUNNER, str(src), str(out), str(doctreedir or out / ".doctrees"),
         str(pdf_out), pdf_builder or "", str(runs), str(first_edit)],
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


class DevServer:
    """A development server (``make preview``, ``mkdocs serve``) run for the benchmark, its log read live.

    Started in a session of its own; :meth:`stop` interrupts it (Ctrl+C, so it
    shuts its workers down) and kills what is left of that session after 15 s.
    """

    def __init__(self, name: str, argv: list[str], env: dict) -> None:
        self.name = name
        self.seen: list[str] = []
        self._lines: queue.Queue = queue.Queue()
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**env, "PYTHONUNBUFFERED": "1"}, text=True, errors="replace", start_new_session=True,
        )
        threading.Thread(target=self._read, name=f"bench-{name}-log", daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._lines.put((time.perf_counter(), line.rstrip("\n")))
        self._lines.put((time.perf_counter(), None))

    def drain(self) -> None:
        """Forget the lines printed so far (keeping them for an error message)."""
        while True:
            try:
                _, line = self._lines.get_nowait()
            except queue.Empty:
                return
            if line is None:
                raise BuildFailed(f"{self.name} stopped:\n" + "\n".join(self.seen[-40:]))
            self.seen.append(line)

    def wait_for(self, done: str, timeout: float, failed: str | None = None) -> float:
        """The moment (``time.perf_counter``) a line matching ``done`` was printed.

        Raises BuildFailed when a line matches ``failed``, the server exits, or
        ``timeout`` seconds pass first.
        """
        deadline = time.perf_counter() + timeout
        while True:
            try:
                stamp, line = self._lines.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                raise BuildFailed(f"{self.name}: no line matching {done!r} within {timeout:.0f} s; it printed:\n"
                                  + "\n".join(self.seen[-40:])) from None
            if line is None:
                raise BuildFailed(f"{self.name} stopped:\n" + "\n".join(self.seen[-40:]))
            self.seen.append(line)
            if failed and re.search(failed, line):
                raise BuildFailed(f"{self.name} failed:\n" + "\n".join(self.seen[-40:]))
            if re.search(done, line):
                return stamp

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # workers left behind, if any
        except ProcessLookupError:
            pass
        self.proc.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (``mkdocs serve`` needs a number)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: How each server says a rebuild finished, or failed, in its log.
SERVER_LOG = {
    # python -m handbook preview: "preview: rebuilt in 1.2 s (html 0.9 s, handbookpdf 1.1 s)"
    "preview": (r"^preview: rebuilt in ", r"^preview: build FAILED"),
    # mkdocs serve (mkdocs/livereload): "INFO - Reloading browsers" once a rebuild is written.
    "mkdocs_serve": (r"Reloading browsers", r"ERROR"),
    "mkdocs_serve_dirty": (r"Reloading browsers", r"ERROR"),
}


def measure_served_edits(src: Path, builddir: Path, mkdocs: Path | None, mkdocs_projects: dict[str, Path],
                         runs: int, env: dict, first_edit: int = 200) -> dict:
    """The same one-guide edit saved under each development server, timed to its "rebuilt" log line.

    ``python -m handbook preview`` serves ``src`` with its builds in ``builddir``
    (as ``make preview`` does with ``_build``): the HTML and the guide's PDF.
    ``mkdocs serve`` serves each of ``mkdocs_projects`` ({"mkdocs_serve": ...,
    "mkdocs_serve_dirty": ...}, one project each, so one edit wakes one server),
    the second with ``--dirty``. All listen on 127.0.0.1; the edits are
    interleaved (preview, mkdocs, mkdocs --dirty, preview, ...). Returns
    {server: figures} with seconds from the write to the log line.
    """
    servers: dict[str, DevServer] = {}
    pages: dict[str, Path] = {}
    try:
        log("edit loop: starting python -m handbook preview on 127.0.0.1")
        servers["preview"] = DevServer(
            "python -m handbook preview",
            [sys.executable, "-m", "handbook", "preview", "--source", str(src), "--builddir", str(builddir),
             "--host", "127.0.0.1", "--port", "0"],
            {**env, "PYTHONPATH": str(REPO_ROOT / "_ext")},
        )
        pages["preview"] = src
        servers["preview"].wait_for(r"^preview: serving http", SERVER_START_TIMEOUT, SERVER_LOG["preview"][1])
        for name, project in mkdocs_projects.items():
            dirty = ["--dirty"] if name.endswith("_dirty") else []
            log(f"edit loop: starting mkdocs serve {' '.join(dirty)}on 127.0.0.1 (its first build)")
            servers[name] = DevServer(
                "mkdocs serve " + " ".join(dirty),
                [str(mkdocs), "serve", "-f", str(project / "mkdocs.yml"), "-a", f"127.0.0.1:{free_port()}", *dirty],
                mkdocs_env(env),
            )
            pages[name] = project / "docs"
            servers[name].wait_for(r"Serving on http", SERVER_START_TIMEOUT, SERVER_LOG[name][1])
        samples = {name: Sample() for name in servers}
        for run in range(first_edit, first_edit + runs):
            for name, server in servers.items():
                time.sleep(SERVER_SETTLE_SECONDS)
                server.drain()
                log(f"edit loop: edit {run - first_edit + 1} of {runs} under {server.name}")
                started = time.perf_counter()
                edit_guide(pages[name], run)
                done, failed = SERVER_LOG[name]
                samples[name].seconds.append(server.wait_for(done, SERVER_REBUILD_TIMEOUT, failed) - started)
    finally:
        for server in servers.values():
            server.stop()
    return {name: {"pages": count_pages(src), **sample.summary()} for name, sample in samples.items()}


def worst_overheads(sizes: dict[str, dict]) -> dict[str, float]:
    """The largest extension and theme overhead over every size with baselines.

    The target must hold at every size, so the worst one is checked: above
    ``handbook_sidebar_page_limit`` the extension's sidebar cache makes the real
    configuration cheaper than the baseline, which says nothing of smaller handbooks.
    """
    rows = [row["ratios"] for row in sizes.values() if "extension_overhead" in row.get("ratios", {})]
    return {name: max(row[name] for row in rows) for name in ("extension_overhead", "theme_overhead")}


def count_pages(src: Path) -> int:
    """Controlled pages in a synthetic project (its index pages left out)."""
    return sum(1 for folder in ("protocols", "patient-guides")
               for page in (src / folder).glob("*.md") if page.stem != "index")


def run_benchmark(
    sizes: list[int], runs: int, big_runs: int, workdir: Path, edit_size: int, variants_up_to: int = 300,
    mkdocs: Path | None = None, edit_runs: int | None = None, parallel_jobs: str | None = "auto",
    make_jobs: str = "1",
) -> dict:
    """Every measurement of the module docstring; ``mkdocs`` None leaves the MkDocs baseline out.

    ``parallel_jobs`` ("auto", "2"; None to skip) adds the real configuration
    built with ``sphinx-build -j``, interleaved with the rest; ``make_jobs`` is
    the ``-j`` that ``make html`` uses (``SPHINXJOBS``): the peer targets are
    checked on that build.
    """
    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1767225600")}
    results: dict = {"sizes": {}, "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    if mkdocs:
        results["machine"]["mkdocs"] = mkdocs_version(mkdocs, env)
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
        jobs = {variant: "1" for variant in sources}
        if parallel_jobs and size <= variants_up_to:
            # The same pages as "handbook", built with sphinx-build -j.
            sources = {"handbook": sources["handbook"], "handbook_parallel": sources["handbook"],
                       **{v: src for v, src in sources.items() if v != "handbook"}}
            jobs["handbook_parallel"] = parallel_jobs
        if mkdocs and size <= variants_up_to:
            sources["mkdocs"] = synthetic.generate_mkdocs(workdir / f"src-{size}-mkdocs", size)
        samples = {variant: Sample() for variant in sources}
        # Interleaved (handbook, no_extension, alabaster, mkdocs, handbook, ...): a
        # slow spell of a shared machine then hits every variant alike, not one.
        for run in range(size_runs):
            for variant, src in sources.items():
                log(f"{size} pages, {variant}: clean HTML build {run + 1} of {size_runs}")
                out = workdir / f"out-{size}-{variant}" / f"html-clean-{run}"
                if variant == "mkdocs":
                    seconds, peak = run_mkdocs_build(mkdocs, src, out, env)
                else:
                    seconds, peak = run_build(src, out, "html", env, jobs=jobs[variant])
                samples[variant].seconds.append(seconds)
                samples[variant].peak_mib.append(peak)
        row = {variant: sample.summary() for variant, sample in samples.items()}
        ratios = {}
        if "alabaster" in row:
            ratios["extension_overhead"] = ratio(row["handbook"]["median"], row["no_extension"]["median"])
            ratios["theme_overhead"] = ratio(row["no_extension"]["median"], row["alabaster"]["median"])
        if "handbook_parallel" in row:
            ratios["parallel_speedup"] = ratio(row["handbook"]["median"], row["handbook_parallel"]["median"])
        if "mkdocs" in row:
            ratios.update(peer_ratios(samples["handbook"], samples["mkdocs"]))
            if "handbook_parallel" in row:
                ratios.update({f"{name}_parallel": value for name, value in
                               peer_ratios(samples["handbook_parallel"], samples["mkdocs"]).items()})
        if ratios:
            row["ratios"] = ratios
        results["sizes"][str(size)] = row

    # One-page edit at edit_size, in make's layout: BUILD/html (doctrees in
    # BUILD/doctrees) and BUILD/pdf, which is also what make preview uses.
    src = workdir / f"src-{edit_size}-handbook"
    if not src.exists():
        synthetic.generate(REPO_ROOT, src, edit_size)
    builddir = workdir / f"build-{edit_size}"
    html_target, pdf_target = make_targets(builddir)
    log(f"{edit_size} pages: first HTML build before one-page edits")
    run_build(src, html_target.outdir, "html", env, html_target.doctreedir)
    pdf_out = pdf_target.outdir
    pdf_builder = pdf_builder_name()
    if pdf_builder:
        log(f"{edit_size} pages: first PDF build (every handout and the staff handbook)")
        seconds, peak = run_build(src, pdf_out, pdf_builder, env)
        results["pdf"] = pdf_figures(read_pdf_log(pdf_out), edit_size, seconds, peak)
    edit_runs = edit_runs or max(runs, 3)
    results["incremental_edit_cli"] = measure_cli_edits(
        src, html_target.outdir, pdf_out, pdf_builder, edit_runs, env, html_target.doctreedir)
    results["incremental_edit"] = measure_preview_edits(
        src, html_target.outdir, pdf_out, pdf_builder, edit_runs, env, html_target.doctreedir)
    mkdocs_projects = {}
    if mkdocs:
        for name in ("mkdocs_serve", "mkdocs_serve_dirty"):
            mkdocs_projects[name] = synthetic.generate_mkdocs(workdir / f"src-{edit_size}-{name}", edit_size)
    results["edit_loop"] = measure_served_edits(src, builddir, mkdocs, mkdocs_projects, edit_runs, env)

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
    # The peer targets are checked on the build make does: serial, or with -j when SPHINXJOBS says so.
    suffix = "" if make_jobs == "1" else "_parallel"
    results["make_jobs"] = make_jobs
    peers = {size: row["ratios"] for size, row in results["sizes"].items()
             if f"clean_build_over_mkdocs{suffix}" in row.get("ratios", {})}
    for size, row in peers.items():
        ratios[f"clean_build_over_mkdocs_{size}"] = row[f"clean_build_over_mkdocs{suffix}"]
    if peers:
        ratios["peak_memory_over_mkdocs"] = max(row[f"peak_memory_over_mkdocs{suffix}"] for row in peers.values())
    loop = results["edit_loop"]
    if "mkdocs_serve" in loop:
        ratios[f"edit_loop_over_mkdocs_serve_{edit_size}"] = ratio(loop["preview"]["median"], loop["mkdocs_serve"]["median"])
        ratios[f"edit_loop_over_mkdocs_serve_dirty_{edit_size}"] = ratio(
            loop["preview"]["median"], loop["mkdocs_serve_dirty"]["median"])
    results["ratios"] = ratios
    results["targets"] = check_targets(ratios)
    return results


def peer_ratios(handbook: Sample, mkdocs: Sample) -> dict:
    """The handbook over MkDocs Material, from interleaved clean builds of one size.

    ``clean_build_over_mkdocs``: ratio of the medians; ``clean_build_over_mkdocs_range``:
    the lowest and highest ratio of the builds made side by side (run 1 with run 1, ...);
    ``peak_memory_over_mkdocs``: ratio of the largest peaks.
    """
    paired = [h / m for h, m in zip(handbook.seconds, mkdocs.seconds)]
    return {
        "clean_build_over_mkdocs": ratio(statistics.median(handbook.seconds), statistics.median(mkdocs.seconds)),
        "clean_build_over_mkdocs_range": [round(min(paired), 3), round(max(paired), 3)],
        "peak_memory_over_mkdocs": ratio(max(handbook.peak_mib), max(mkdocs.peak_mib)),
    }


def mkdocs_version(mkdocs: Path, env: dict) -> str:
    """"mkdocs 1.6.1, mkdocs-material 9.8.2": what the baseline ran."""
    python = mkdocs.parent / "python"
    code = ("from importlib.metadata import version as v; "
            "print(f\"mkdocs {v('mkdocs')}, mkdocs-material {v('mkdocs-material')}\")")
    proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise BuildFailed(f"cannot read the versions of {mkdocs}'s environment:\n{proc.stderr[-2000:]}")
    return proc.stdout.strip()


#: Row labels of the clean builds.
VARIANT_LABELS = {
    "handbook": "clean HTML, real configuration",
    "handbook_parallel": "clean HTML, real configuration, `sphinx-build -j auto`",
    "no_extension": "clean HTML, extension off (theme's own cost)",
    "alabaster": "clean HTML, extension off, alabaster (floor)",
    "mkdocs": "clean HTML, MkDocs Material (`mkdocs build --strict`)",
}

#: Row labels of the edit loop, one per development server.
SERVER_LABELS = {
    "preview": "edit loop: save to rebuilt, `make preview` (HTML + the guide's PDF)",
    "mkdocs_serve": "edit loop: save to rebuilt, `mkdocs serve`",
    "mkdocs_serve_dirty": "edit loop: save to rebuilt, `mkdocs serve --dirty`",
}


def verdict(target: dict | None) -> str:
    """"met", "**not met**", or "not measured" (this run did not make the figure)."""
    if not target:
        return ""
    if target["met"] is None:
        return "not measured"
    return "met" if target["met"] else "**not met**"


def markdown_table(results: dict) -> str:
    lines = [
        "| Pages | Build | Median s | Min s | Max s | Runs | Peak MiB |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, row in results["sizes"].items():
        for variant, s in row.items():
            if variant == "ratios":
                continue
            lines.append(
                f"| {size} | {VARIANT_LABELS[variant]} | {s['median']} | {s['min']} | {s['max']} | {s['runs']} "
                f"| {s['peak_mib']} |"
            )
    for key, how in (("incremental_edit_cli", "sphinx-build html, then sphinx-build handbookpdf (make html pdf)"),
                     ("incremental_edit", "warm preview workers (python -m handbook preview)")):
        inc = results[key]
        what = "HTML rebuild + that guide's PDF" if inc["includes_pdf"] else "HTML rebuild"
        lines.append(
            f"| {inc['pages']} | one-page edit: {what}, {how} | {inc['median']} | {inc['min']} | {inc['max']} "
            f"| {inc['runs']} | {inc['peak_mib']} |"
        )
    for name, s in results.get("edit_loop", {}).items():
        lines.append(f"| {s['pages']} | {SERVER_LABELS[name]} | {s['median']} | {s['min']} | {s['max']} "
                     f"| {s['runs']} | |")
    if "pdf" in results:
        pdf = results["pdf"]
        lines.append(
            f"| {pdf['pages']} | first PDF build: {pdf['handouts']} handouts + staff handbook "
            f"({pdf['handbook_pdf_pages']} pages) | {pdf['build_seconds']} | | | 1 | {pdf['peak_mib']} |"
        )
    lines += ["", "| Ratio or figure | Value | Target | Met |", "| --- | ---: | --- | --- |"]
    for size, row in results["sizes"].items():
        for name, value in row.get("ratios", {}).items():
            if isinstance(value, list):
                value = "\N{EN DASH}".join(str(v) for v in value)
            lines.append(f"| {name} at {size} pages | {value} | | |")
    for name, value in results["ratios"].items():
        target = results["targets"].get(name)
        lines.append(f"| {name} | {value} | {target['target'] if target else ''} | {verdict(target)} |")
    for name, target in results["targets"].items():
        if name not in results["ratios"]:
            lines.append(f"| {name} | | {target['target']} | {verdict(target)} |")
    if "mkdocs" in results["machine"]:
        lines += ["", f"Peer baseline: {results['machine']['mkdocs']} (bench/requirements-mkdocs.txt). "
                  f"The targets against it are checked on the clean build `make html` does "
                  f"(`-j {results['make_jobs']}`)."]
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
                        help="largest size at which the baselines (extension off, alabaster, -j, MkDocs) are built too; above it only the real "
                        "configuration, for growth (default: %(default)s)")
    parser.add_argument("--edit-size", type=int, default=300, help="pages in the one-page-edit benchmark (default: %(default)s)")
    parser.add_argument("--edit-runs", type=int, help="edits per edit measurement (default: --runs, at least 3)")
    parser.add_argument("--mkdocs", type=Path, default=DEFAULT_MKDOCS,
                        help="the mkdocs command of the MkDocs Material baseline, in its own virtual environment "
                        "(default: $HANDBOOK_MKDOCS or .venv-mkdocs/bin/mkdocs; `make mkdocs-venv` installs it)")
    parser.add_argument("--no-mkdocs", action="store_true", help="leave the MkDocs Material baseline out")
    parser.add_argument("--parallel-jobs", default="auto",
                        help="also build the real configuration with sphinx-build -j JOBS, interleaved; "
                        "'none' to skip (default: %(default)s)")
    parser.add_argument("--make-jobs", default=os.environ.get("SPHINXJOBS", "1"),
                        help="the -j that make html uses (make passes SPHINXJOBS); the MkDocs targets are "
                        "checked on that build (default: $SPHINXJOBS or 1)")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_PAGES} pages, one run, one edit each: a smoke test that the benchmark still works")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "_build" / "bench", help="where results go (default: _build/bench)")
    parser.add_argument("--workdir", type=Path, help="where synthetic projects are built (default: a temporary directory)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.big_runs, args.edit_size, args.edit_runs = str(QUICK_PAGES), 1, 1, QUICK_PAGES, 1
    try:
        args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes takes whole numbers separated by commas, not {args.sizes!r}")
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes needs at least one page count of 1 or more")
    if args.runs < 1 or args.big_runs < 1 or (args.edit_runs is not None and args.edit_runs < 1):
        parser.error("--runs, --big-runs and --edit-runs must be 1 or more")
    if args.no_mkdocs:
        args.mkdocs = None
    elif not os.access(args.mkdocs, os.X_OK):
        parser.error(f"MkDocs Material is not installed at {args.mkdocs}: run `make mkdocs-venv` "
                     "(or pass --no-mkdocs to leave the baseline out)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="handbook-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        try:
            results = run_benchmark(
                args.sizes, args.runs, args.big_runs, workdir, args.edit_size, args.variants_up_to,
                args.mkdocs, args.edit_runs, None if args.parallel_jobs == "none" else args.parallel_jobs,
                args.make_jobs,
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
