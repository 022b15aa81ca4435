"""Generate a synthetic handbook of any size, for the benchmark.

The generated project copies the real handbook's configuration and extension
and replaces the content with ``n`` controlled pages that carry valid front
matter: protocols with tables, admonitions, checklists, citations and
cross-references; patient guides with plain text. ``with_extension=False``
writes the same pages for a build without the local extension (its
directives become the plain MyST admonitions they resemble), so the two
builds differ only in what the extension adds.
"""

from __future__ import annotations

import re
import shutil
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


def protocol_page(n: int, with_extension: bool) -> str:
    covers = ", ".join(GUIDANCE_POINTS[(n + k) % len(GUIDANCE_POINTS)] for k in range(2))
    front = FRONT_MATTER.format(id=f"PR-{n:03d}", minor=1 + n % 9, day=1 + n % 28, covers=covers)
    body = PROTOCOL_BODY.format(
        n=n,
        prev=f"protocol-{max(1, n - 1):04d}",
        local_decision_open="```{local-decision}" if with_extension else "```{admonition} Local decision\n:class: local-decision",
        local_decision_close="```",
    )
    return front + "\n" + body


def guide_page(n: int, with_extension: bool) -> str:
    covers = GUIDANCE_POINTS[(n * 5) % len(GUIDANCE_POINTS)]
    front = FRONT_MATTER.format(id=f"PG-{n:03d}", minor=1 + n % 9, day=1 + n % 28, covers=covers)
    body = GUIDE_BODY.format(
        n=n,
        call_open="```{call-emergency}" if with_extension else "```{admonition} Call 911 if\n:class: call-emergency",
        call_close="```",
    )
    return front + "\n" + body


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
    for folder, title, count, make_page, stem in (
        ("protocols", "Staff protocols", n_protocols, protocol_page, "protocol"),
        ("patient-guides", "Patient guides", n_guides, guide_page, "guide"),
    ):
        out = dest / folder
        out.mkdir()
        (out / "index.md").write_text(index.format(title=title, folder=folder), encoding="utf-8")
        for n in range(1, count + 1):
            (out / f"{stem}-{n:04d}.md").write_text(make_page(n, with_extension), encoding="utf-8")
    return dest
