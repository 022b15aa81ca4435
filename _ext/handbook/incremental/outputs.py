"""The files a page leaves in the build output, so a removed page's can go.

Pure: given the builder's facts (its output folder, the page's output file,
the handout folder of the site), list the paths; the glue deletes them.
"""

from __future__ import annotations

from pathlib import Path


def handout_name(docname: str) -> str:
    """``patient-guides/after-your-treatment`` -> ``after-your-treatment.pdf`` (as ``handbook.pdf`` names it)."""
    return docname.rsplit("/", 1)[-1] + ".pdf"


def html_outputs(outdir: Path, outfile: Path | None, docname: str, pdf_html_dir: str) -> list[Path]:
    """What an HTML build keeps of ``docname``: the page, its ``_sources`` copy, its handout's copy."""
    paths = [outfile] if outfile is not None else []
    paths += [outdir / "_sources" / f"{docname}{suffix}" for suffix in (".txt", ".md.txt", ".rst.txt")]
    if docname.startswith("patient-guides/"):
        paths.append(outdir / pdf_html_dir.strip("/") / "handouts" / handout_name(docname))
    return paths


def pdf_outputs(outdir: Path, docname: str) -> list[Path]:
    """What the ``handbookpdf`` build keeps of ``docname``: its fragments and its handout."""
    pages = outdir / "_pages"
    paths = [pages / f"{docname}{suffix}" for suffix in (".json", ".print.html", ".sources.json")]
    if docname.startswith("patient-guides/"):
        paths.append(outdir / "handouts" / handout_name(docname))
    return paths
