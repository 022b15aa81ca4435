"""Generate a synthetic handbook of any size, for the benchmark.

The generated project copies the real handbook's configuration and extension
and replaces the content with ``n`` controlled pages that carry valid front
matter: protocols with tables, admonitions, checklists, citations and
cross-references; patient guides with plain text. ``with_extension=False``
writes the same pages for a build without the local extension (its
directives become the plain MyST admonitions they resemble), so the two
builds differ only in what the extension adds.

:func:`generate_mkdocs` writes the same pages as a MkDocs Material project,
the peer baseline of ``make bench``. Each page is made by the same functions
and then converted (:func:`to_mkdocs`), every construct MkDocs cannot read
turned into its nearest MkDocs equivalent:

* a MyST directive box (```` ```{local-decision} ````, ```` ```{call-emergency} ````)
  becomes a ``!!!`` admonition (``note`` and ``danger``) with the title the
  handbook prints;
* a citation (``{cite:p}`key```) becomes plain text, "(Sanacora et al., 2017)",
  and the bibliography page a plain list of the cited works;
* the front matter (document control) becomes plain text under the title: one
  line of id, version, status, dates, owner and approver, and the change
  history as a Markdown table, what the handbook's panel shows;
* a section's register and toctree become a plain list of links to its pages,
  and the site navigation is MkDocs' own, from the folders (no ``nav:``);
* the traceability matrix page, which only the extension can build, is left
  out (as in the ``with_extension=False`` pages).

Tables, task lists (``pymdownx.tasklist``), code blocks
(``pymdownx.superfences``) and relative ``.md`` links are read by MkDocs as they
are. Anything else written as a MyST role or directive raises ValueError, so a
construct added to the generator cannot slip through unconverted.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

#: Copied from the real project into every synthetic one.
PROJECT_FILES = ("conf.py", "references.bib", "_static", "_templates", "_ext", "reference/guidance.yaml")

#: Share of generated pages that are protocols; the rest are patient guides.
PROTOCOL_SHARE = 0.7

GUIDANCE_POINTS = [f"SG-{n:02d}" for n in range(1, 25)]

FRONT_MATTER = """\
---
id: {id}
version: "1.{minor}"
status: active
effective: 2026-01-{day:02d}
review-by: 2028-12-{day:02d}
owner: Nurse Manager
approver: Medical Director
covers: [{covers}]
history:
  - {{version: "1.{minor}", date: 2026-01-{day:02d}, summary: "Synthetic revision {minor}"}}
  - {{version: "1.0", date: 2025-06-01, summary: "First approved version"}}
---
"""

PROTOCOL_BODY = """\
# Synthetic protocol {n}

## Purpose and scope

This protocol sets out how staff carry out procedure {n} safely, from the
first check to the record in the chart. It applies to every nurse and
prescriber on shift.

## Steps

1. Confirm the patient's identity and the signed order.
2. Check the vital signs and record them.
3. Follow [the previous protocol]({prev}.md) before you start this one.
4. Escalate any value outside the thresholds below.

{local_decision_open}
Recheck blood pressure every 10 minutes during the infusion.
{local_decision_close}

| Measure | Pause at | Stop at |
| --- | --- | --- |
| Systolic blood pressure | 160 mmHg | 180 mmHg |
| Heart rate | 110 bpm | 130 bpm |
| Oxygen saturation | 94% | 90% |

## Checklist

- [ ] Equipment checked
- [ ] Consent on file
- [ ] Observations recorded

## Charting template

```text
Procedure {n} completed. Vital signs stable. Patient informed.
```

The published consensus guidance informs this step {{cite:p}}`sanacora2017consensus`.
"""

GUIDE_BODY = """\
# Synthetic guide {n}

## What to do

Come to the clinic with a friend who can drive you home. Eat a light meal
the night before. Bring a list of every medicine you take.

## What to expect

We will check how you feel and your blood pressure. You may feel dreamy or
far away for a while. This passes. A nurse stays with you the whole time.

{call_open}
- You have chest pain.
- You cannot wake the person up.
{call_close}

## After your treatment

Rest for the day. Do not drive until the next day, after a night's sleep.
Call us with any question.
"""

INDEX_WITH_EXTENSION = """\
# {title}

```{{handbook-register}}
:folder: {folder}
```

```{{toctree}}
:maxdepth: 1
:glob:

*
```
"""

INDEX_WITHOUT_EXTENSION = """\
# {title}

```{{toctree}}
:maxdepth: 1
:glob:

*
```
"""

ROOT_INDEX = """\
# Synthetic handbook

```{toctree}
:maxdepth: 2

protocols/index
patient-guides/index
reference/index
```
"""

REFERENCE_INDEX = """\
# Reference

```{toctree}
:maxdepth: 1
:glob:

*
```
"""

SOURCES_PAGE = """\
# Sources

```{bibliography}
```
"""

MATRIX_PAGE = """\
# Traceability matrix

```{traceability-matrix}
```
"""


def page_counts(total: int) -> tuple[int, int]:
    """Split ``total`` controlled pages into (protocols, guides)."""
    protocols = max(1, round(total * PROTOCOL_SHARE))
    return protocols, max(1, total - protocols)


def protocol_page(n: int, with_extension: bool, covers_all: bool = False) -> str:
    """Protocol ``n``; ``covers_all`` makes it cover every guidance point (see :func:`covers_all_points`)."""
    points = GUIDANCE_POINTS if covers_all else [GUIDANCE_POINTS[(n + k) % len(GUIDANCE_POINTS)] for k in range(2)]
    covers = ", ".join(points)
    front = FRONT_MATTER.format(id=f"PR-{n:03d}", minor=1 + n % 9, day=1 + n % 28, covers=covers)
    body = PROTOCOL_BODY.format(
        n=n,
        prev=f"protocol-{max(1, n - 1):04d}",
        local_decision_open="```{local-decision}" if with_extension else "```{admonition} Local decision\n:class: local-decision",
        local_decision_close="```",
    )
    return front + "\n" + body


def covers_all_points(pages: int) -> bool:
    """Whether protocol 1 must cover every guidance point: a handbook too small to cover them otherwise.

    Protocols cover two points each in turn, so below about 24 protocols some
    point would be covered by no page, a warning that fails the strict build.
    """
    return page_counts(pages)[0] < len(GUIDANCE_POINTS) + 1


def guide_page(n: int, with_extension: bool) -> str:
    covers = GUIDANCE_POINTS[(n * 5) % len(GUIDANCE_POINTS)]
    front = FRONT_MATTER.format(id=f"PG-{n:03d}", minor=1 + n % 9, day=1 + n % 28, covers=covers)
    body = GUIDE_BODY.format(
        n=n,
        call_open="```{call-emergency}" if with_extension else "```{admonition} Call 911 if\n:class: call-emergency",
        call_close="```",
    )
    return front + "\n" + body


def page_text(stem: str, n: int, pages: int, with_extension: bool) -> str:
    """Page ``n`` of a ``pages``-page handbook: ``stem`` "protocol" or "guide"."""
    if stem == "protocol":
        return protocol_page(n, with_extension, covers_all=n == 1 and covers_all_points(pages))
    return guide_page(n, with_extension)


def strip_extension(conf_text: str) -> str:
    """Return ``conf.py`` text with the local extension removed from ``extensions``."""
    stripped, count = re.subn(r'^\s*"handbook",\n', "", conf_text, flags=re.MULTILINE)
    if count != 1:
        raise ValueError('conf.py must list "handbook" on a line of its own in extensions')
    return stripped


def generate(
    source_root: Path,
    dest: Path,
    pages: int,
    *,
    with_extension: bool = True,
    theme: str | None = None,
) -> Path:
    """Write a synthetic handbook of ``pages`` controlled pages into ``dest``."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in PROJECT_FILES:
        src = source_root / name
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, target)
    conf = (dest / "conf.py").read_text(encoding="utf-8")
    if not with_extension:
        conf = strip_extension(conf)
    if theme:
        conf += f"\nhtml_theme = {theme!r}\nhtml_theme_options = {{}}\n"
    (dest / "conf.py").write_text(conf, encoding="utf-8")

    index = INDEX_WITH_EXTENSION if with_extension else INDEX_WITHOUT_EXTENSION
    (dest / "index.md").write_text(ROOT_INDEX, encoding="utf-8")
    reference = dest / "reference"
    reference.mkdir(exist_ok=True)
    (reference / "index.md").write_text(REFERENCE_INDEX, encoding="utf-8")
    (reference / "sources.md").write_text(SOURCES_PAGE, encoding="utf-8")
    if with_extension:
        (reference / "traceability.md").write_text(MATRIX_PAGE, encoding="utf-8")

    n_protocols, n_guides = page_counts(pages)
    for folder, title, count, stem in (
        ("protocols", "Staff protocols", n_protocols, "protocol"),
        ("patient-guides", "Patient guides", n_guides, "guide"),
    ):
        out = dest / folder
        out.mkdir()
        (out / "index.md").write_text(index.format(title=title, folder=folder), encoding="utf-8")
        for n in range(1, count + 1):
            (out / f"{stem}-{n:04d}.md").write_text(page_text(stem, n, pages, with_extension), encoding="utf-8")
    return dest


# -- MkDocs Material: the same pages, converted --------------------------------

#: The MkDocs configuration of the peer baseline: Material's defaults, with the
#: Markdown extensions the synthetic pages need (tables are built in).
MKDOCS_YML = """\
site_name: Synthetic handbook
docs_dir: docs
theme:
  name: material
  font: false  # no Google Fonts request: the handbook's site asks no other host
plugins:
  - search
markdown_extensions:
  - admonition
  - attr_list
  - toc:
      permalink: true
  - pymdownx.highlight
  - pymdownx.superfences
  - pymdownx.tasklist
"""

#: MyST directive boxes -> (MkDocs admonition type, the title the handbook prints).
MKDOCS_ADMONITIONS = {
    "local-decision": ("note", "Local decision \N{EM DASH} confirm with the medical director"),
    "call-emergency": ("danger", "Call 911 if"),
}

#: Citation keys the synthetic pages use -> (in-text citation, bibliography entry), as plain text.
MKDOCS_CITATIONS = {
    "sanacora2017consensus": (
        "Sanacora et al., 2017",
        "Sanacora G, Frye MA, McDonald W, et al. A consensus statement on the use of ketamine in "
        "the treatment of mood disorders. JAMA Psychiatry. 2017;74(4):399-405.",
    ),
}

_DIRECTIVE = re.compile(r"^```\{(?P<name>[\w-]+)\}[^\n]*\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
_CITATION = re.compile(r"\{cite:p\}`(?P<key>[^`]+)`")
_MYST_LEFTOVER = re.compile(r"```\{|\{[\w:-]+\}`")


def front_matter_as_text(data: dict) -> str:
    """The document-control front matter as plain Markdown: one line, then the history table."""
    line = (
        f"**{data['id']}** \N{MIDDLE DOT} version {data['version']} \N{MIDDLE DOT} {data['status']} "
        f"\N{MIDDLE DOT} effective {data['effective']} \N{MIDDLE DOT} review by {data['review-by']} "
        f"\N{MIDDLE DOT} owner: {data['owner']} \N{MIDDLE DOT} approver: {data['approver']} "
        f"\N{MIDDLE DOT} covers {', '.join(data['covers'])}"
    )
    rows = [f"| {h['version']} | {h['date']} | {h['summary']} |" for h in data["history"]]
    return "\n".join([line, "", "| Version | Date | Change |", "| --- | --- | --- |", *rows]) + "\n"


def to_mkdocs(page: str) -> str:
    """Convert one synthetic MyST page to Markdown MkDocs Material reads (see the module docstring).

    Raises ValueError for a directive, role or citation key with no conversion.
    """
    import yaml

    front = {}
    if page.startswith("---\n"):
        end = page.index("\n---\n", 4)
        front, page = yaml.safe_load(page[4:end]), page[end + 5:]

    def admonition(match: re.Match) -> str:
        name = match["name"]
        if name not in MKDOCS_ADMONITIONS:
            raise ValueError(f"no MkDocs conversion for the MyST directive {{{name}}}")
        kind, title = MKDOCS_ADMONITIONS[name]
        return f'!!! {kind} "{title}"\n\n' + textwrap.indent(match["body"], "    ")

    def citation(match: re.Match) -> str:
        if match["key"] not in MKDOCS_CITATIONS:
            raise ValueError(f"no MkDocs conversion for the citation {match['key']!r}")
        return f"({MKDOCS_CITATIONS[match['key']][0]})"

    body = _CITATION.sub(citation, _DIRECTIVE.sub(admonition, page.lstrip("\n")))
    leftover = _MYST_LEFTOVER.search(body)
    if leftover:
        raise ValueError(f"no MkDocs conversion for {body[leftover.start():leftover.start() + 40]!r}")
    if front:
        title, _, rest = body.partition("\n")
        body = f"{title}\n\n{front_matter_as_text(front)}{rest}"
    return body



def generate_mkdocs(dest: Path, pages: int) -> Path:
    """Write the ``pages`` synthetic pages as a MkDocs Material project in ``dest``.

    ``dest/mkdocs.yml`` and ``dest/docs/``: the same folders and page names as
    :func:`generate`, so an edit to ``patient-guides/guide-0001.md`` is the same
    edit in both. Build with ``mkdocs build --strict -f dest/mkdocs.yml``.
    """
    if dest.exists():
        shutil.rmtree(dest)
    docs = dest / "docs"
    docs.mkdir(parents=True)
    (dest / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (docs / "index.md").write_text(
        "# Synthetic handbook\n\n- [Staff protocols](protocols/index.md)\n"
        "- [Patient guides](patient-guides/index.md)\n- [Reference](reference/index.md)\n",
        encoding="utf-8",
    )
    (docs / "reference").mkdir()
    (docs / "reference" / "index.md").write_text("# Reference\n\n- [Sources](sources.md)\n", encoding="utf-8")
    cited = "\n".join(f"1. {entry}" for _, entry in MKDOCS_CITATIONS.values())
    (docs / "reference" / "sources.md").write_text(f"# Sources\n\n{cited}\n", encoding="utf-8")
    n_protocols, n_guides = page_counts(pages)
    for folder, title, count, stem in (
        ("protocols", "Staff protocols", n_protocols, "protocol"),
        ("patient-guides", "Patient guides", n_guides, "guide"),
    ):
        out = docs / folder
        out.mkdir()
        links = []
        for n in range(1, count + 1):
            name = f"{stem}-{n:04d}.md"
            text = to_mkdocs(page_text(stem, n, pages, True))
            (out / name).write_text(text, encoding="utf-8")
            links.append(f"- [{text.partition(chr(10))[0].lstrip('# ')}]({name})")
        (out / "index.md").write_text(f"# {title}\n\n" + "\n".join(links) + "\n", encoding="utf-8")
    return dest
