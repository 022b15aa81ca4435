"""Summary of Sphinx's external link check (``python -m handbook linkreport``).

Sphinx's ``linkcheck`` builder writes one JSON object per link to
``output.json`` (``filename``, ``lineno``, ``status``, ``code``, ``uri``,
``info``). This prints the count per status and every link that fails, as
``<file>:<line>: <status> <url> (<info>)``, and fails when any link is
broken, timed out or redirected somewhere ``linkcheck_allowed_redirects`` does
not allow (allowed redirects are reported as ``working``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

HELP = "summarise _build/linkcheck/output.json and fail on any broken external link"

#: Statuses that fail the check. "ignored" (linkcheck_ignore, HTTP 503) and
#: "unchecked" (mailto:, tel:, #anchors) do not.
FAILING = ("broken", "timeout", "redirected")


def read_results(path: Path) -> list[dict]:
    """The link results of an ``output.json`` (JSON lines), in file order."""
    text = Path(path).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def failures(results: list[dict]) -> list[dict]:
    """Failing results, sorted by file, line and URL."""
    bad = [r for r in results if r["status"] in FAILING]
    return sorted(bad, key=lambda r: (r["filename"], r["lineno"], r["uri"]))


def format_failure(result: dict) -> str:
    info = result.get("info") or ""
    if result["status"] == "redirected":
        info = f"{result.get('code', '')} to {info}".strip()
    detail = f" ({info})" if info else ""
    return f"{result['filename']}:{result['lineno']}: {result['status']} {result['uri']}{detail}"


def summary(results: list[dict]) -> str:
    counts = Counter(r["status"] for r in results)
    parts = ", ".join(f"{status} {counts[status]}" for status in sorted(counts))
    return f"linkreport: {len(results)} external links: {parts or 'none'}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("output_json", type=Path, nargs="?", default=Path("_build/linkcheck/output.json"),
                        help="the linkcheck builder's output.json (default: %(default)s)")


def run(args: argparse.Namespace) -> int:
    if not args.output_json.is_file():
        print(f"linkreport: {args.output_json} not found; run 'make linkcheck'", file=sys.stderr)
        return 2
    results = read_results(args.output_json)
    bad = failures(results)
    for result in bad:
        print(format_failure(result))
    print(summary(results))
    if bad:
        print(f"linkreport: {len(bad)} failing external link{'s' if len(bad) != 1 else ''}")
        return 1
    return 0
