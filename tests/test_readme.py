"""README.md names only things that exist.

A newcomer follows the README literally, so every path, module and command it
names must be real (review newcomer-1, findings 17 and 18):

- every ``_ext/...`` and ``tests/...`` path exists (a ``*`` or ``<placeholder>``
  must match at least one file; ``tests/x.py::test_y`` must define ``test_y``);
- every file name ``name.py`` written alone in a code span exists somewhere in
  the repository (catches names left over from before the package move, such
  as ``pdfbuilder.py``);
- every Python module it names (a dotted ``handbook.<wing>.<module>`` name, a
  name after ``python -m``, or a name next to the word "module") is a module of
  ``_ext/``, and an attribute after it (``handbook.x.y.func``) is defined there.
  Warning subtypes (``[handbook.frontmatter]``, a subtype table's
  ``handbook.pdf-font``) are not modules and are left out explicitly;
- every ``python -m handbook <command>`` is a command of ``handbook.__main__``;
- every ``#anchor`` link points at a heading of the README;
- ``make help`` lists every make target the README tells users to run.
"""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
EXT = REPO / "_ext"

#: Folders that hold no source the README could mean.
IGNORED_DIRS = {".git", ".venv", "_build", "_site", "node_modules", "__pycache__"}

PATH_RE = re.compile(r"(?<![\w./-])((?:_ext|tests)/[\w./*<>-]*)(::\w+)?")
DOTTED_RE = re.compile(r"(?<![\w.-])handbook(?:\.[A-Za-z_]\w*)+(?![\w-])")
CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
SUBTYPE_BRACKET_RE = re.compile(r"\[(handbook\.[\w.-]+)\]")
SUBTYPE_TABLE_RE = re.compile(r"^\|\s*`(handbook\.[\w.-]+)`\s*\|", re.M)
SUBTYPE_WORD_RE = re.compile(r"subtypes?\s+`(handbook\.[\w.-]+)`")
PYTHON_M_RE = re.compile(r"python -m ((?:handbook)(?:\.\w+)*)(?:\s+([a-z][\w-]*))?")
MODULE_WORD_RE = re.compile(
    r"`(handbook(?:\.\w+)+)`\s+module\b|\bmodules?\s+`(handbook(?:\.\w+)+)`"
)
ANCHOR_LINK_RE = re.compile(r"\]\(#([^)\s]+)\)")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
MAKE_RE = re.compile(r"(?<![\w-])make((?:[ \t]+[^\s`#;|&)]+)*)")
TARGET_RE = re.compile(r"^[a-z][a-z0-9-]*$")


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _without_fences(text: str) -> tuple[str, list[str]]:
    """``text`` with fenced code blocks removed, and the blocks' lines with their info string."""
    prose, blocks, fence, info = [], [], None, ""
    for line in text.splitlines():
        stripped = line.strip()
        if fence is None:
            match = re.match(r"(`{3,}|~{3,})(.*)", stripped)
            if match and not (match.group(1)[0] == "`" and "`" in match.group(2)):  # CommonMark
                fence, info = match.group(1), match.group(2).strip()
                continue
            prose.append(line)
        elif stripped.startswith(fence) and stripped.strip("`~") == "":
            fence = None
        else:
            blocks.append(f"{info}\0{line}")
    return "\n".join(prose), blocks


def subtypes(text: str) -> set[str]:
    """Warning subtype names: ``[handbook.x]``, a table's first cell, or after the word "subtype"."""
    found = set(SUBTYPE_BRACKET_RE.findall(text))
    found |= set(SUBTYPE_TABLE_RE.findall(text))
    found |= set(SUBTYPE_WORD_RE.findall(text))
    return found


def module_names(text: str) -> set[str]:
    """The Python module names ``text`` mentions (see the module docstring), subtypes excluded."""
    names: set[str] = set()
    for _, span in CODE_SPAN_RE.findall(text):
        for name in DOTTED_RE.findall(span):
            if name.count(".") >= 2:  # handbook.<wing>.<module>: never a subtype
                names.add(name)
    for module, _ in PYTHON_M_RE.findall(text):
        names.add(module)
    for before, after in MODULE_WORD_RE.findall(text):
        names.add(before or after)
    return names - subtypes(text)


def paths(text: str) -> set[str]:
    """Every ``_ext/...`` and ``tests/...`` path in ``text``, with a ``::test`` suffix if any."""
    found = set()
    for path, test in PATH_RE.findall(text):
        found.add(path.rstrip(".,:;") + test)
    return found


def bare_python_files(text: str) -> set[str]:
    """File names such as ``frontmatter.py`` written alone in a code span."""
    return {span for _, span in CODE_SPAN_RE.findall(text) if re.fullmatch(r"[\w-]+\.py", span)}


def handbook_commands(text: str) -> set[str]:
    """The ``<command>`` of every ``python -m handbook <command>``."""
    return {command for module, command in PYTHON_M_RE.findall(text) if module == "handbook" and command}


def make_targets(text: str) -> set[str]:
    """Make targets the README tells users to run: in code spans and fenced shell/cron blocks."""
    prose, blocks = _without_fences(text)
    commands = [span for _, span in CODE_SPAN_RE.findall(prose)]
    # Shell lines without their comments: "# (make bench runs it)" is not a command.
    commands += [re.sub(r"(^|\s)#.*", "", line) for info, line in (b.split("\0", 1) for b in blocks)
                 if info in ("sh", "cron", "")]
    targets = set()
    for command in commands:
        for match in MAKE_RE.finditer(command):
            if command[: match.start()].split()[-1:] == ["install"]:
                continue  # `apt-get install make git`: the package, not a command
            try:
                words = shlex.split(match.group(1))
            except ValueError:
                words = match.group(1).split()
            for word in words:
                if word.startswith("-") or "=" in word:
                    continue
                if not TARGET_RE.match(word):
                    break
                targets.add(word)
    return targets


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: markup dropped, lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.lower()
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """The anchors of the README's headings (a repeated heading gets ``-1``, ``-2``, ... as on GitHub)."""
    prose, _ = _without_fences(text)
    seen: dict[str, int] = {}
    result = set()
    for line in prose.splitlines():
        match = HEADING_RE.match(line)
        if not match:
            continue
        slug = github_slug(match.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def _module_file(parts: list[str]) -> Path | None:
    base = EXT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _defines(module: Path, name: str) -> bool:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return True
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if any((alias.asname or alias.name.split(".")[0]) == name for alias in node.names):
                return True
    return False


def module_problem(name: str) -> str | None:
    """Why ``name`` is not a module of ``_ext/`` (or an attribute of one), or ``None`` when it is."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        module = _module_file(parts[:end])
        if module is None:
            continue
        rest = parts[end:]
        if not rest:
            return None
        if _module_file(parts[: end + 1]) is None and _defines(module, rest[0]):
            return None
        return f"{'.'.join(parts[:end])} has no module or attribute {rest[0]!r}"
    return f"no module {name} under _ext/"


def path_problem(mention: str) -> str | None:
    """Why a README path mention is wrong, or ``None`` when it exists."""
    path, _, test = mention.partition("::")
    pattern = re.sub(r"<[^>]*>", "*", path).rstrip("/")
    if "*" in pattern:
        return None if any(REPO.glob(pattern)) else f"nothing matches {path}"
    target = REPO / pattern
    if not target.exists():
        return f"{path} does not exist"
    if test and not _defines(target, test):
        return f"{path} defines no {test}"
    return None


def _repository_files(name: str) -> bool:
    for found in REPO.rglob(name):
        if not IGNORED_DIRS.intersection(found.relative_to(REPO).parts):
            return True
    return False


# -- the extractors do what the checks rely on ------------------------------------------


def test_extractors_find_stale_names_and_leave_subtypes_out():
    text = (
        "The `handbookpdf` builder (`_ext/handbook/pdfbuilder.py`) and `pdf.py`; see "
        "`tests/test_browser.py`. The `handbook.a11y` module fixes it. Read by "
        "`handbook.frontmatter.reader` only. `x.md:1: WARNING: bad [handbook.frontmatter]`\n"
        "| `handbook.pdf-font` | a character |\n"
        "Each is a warning, subtype `handbook.decision`.\n"
        "`python -m handbook.devtools.fingerprints --seeds DIR`, `python -m handbook nosuch --help`\n"
        "```sh\nmake test PYTESTOPTS=tests/x.py   # runs\nmake -s nosuchtarget DAYS=3\n```\n"
        "`make html pdf`, and make the change; `sudo apt-get install make git`.\n"
    )
    assert paths(text) == {"_ext/handbook/pdfbuilder.py", "tests/test_browser.py", "tests/x.py"}
    assert bare_python_files(text) == {"pdf.py"}
    assert module_names(text) == {
        "handbook", "handbook.a11y", "handbook.frontmatter.reader", "handbook.devtools.fingerprints",
    }
    assert {"handbook.frontmatter", "handbook.pdf-font", "handbook.decision"} <= subtypes(text)
    assert handbook_commands(text) == {"nosuch"}
    assert make_targets(text) == {"test", "nosuchtarget", "html", "pdf"}


def test_checks_reject_what_the_package_move_left_behind():
    assert path_problem("_ext/handbook/pdfbuilder.py") == "_ext/handbook/pdfbuilder.py does not exist"
    assert path_problem("tests/test_browser.py") == "tests/test_browser.py does not exist"
    assert path_problem("tests/roots/test-nosuch-*/") == "nothing matches tests/roots/test-nosuch-*/"
    assert path_problem("tests/links/test_checklinks.py::test_nosuch") is not None
    assert module_problem("handbook.a11y") == "handbook has no module or attribute 'a11y'"
    assert module_problem("handbookx.a11y") == "no module handbookx.a11y under _ext/"
    assert module_problem("handbook.html.a11y") is None
    assert module_problem("handbook.doccontrol.controlled_documents") is not None
    assert module_problem("handbook.doccontrol.model.controlled_documents") is None
    assert not _repository_files("pdfbuilder.py")
    assert github_slug("The review calendar (`reviews.ics`)") == "the-review-calendar-reviewsics"
    assert github_slug("Translations (patient guides in Spanish)") == "translations-patient-guides-in-spanish"


# -- the README itself ----------------------------------------------------------------


def test_readme_starts_with_the_title_and_the_two_setup_commands():
    lines = _readme().splitlines()
    assert lines[0] == "# Ketamine Clinic Protocol Handbook"
    assert lines[2] == "```sh"
    assert lines[3].split("#")[0].strip() == "make"
    assert lines[4].split("#")[0].strip() == "make test"
    assert lines[5] == "```"


def test_every_ext_and_tests_path_exists():
    mentions = paths(_readme())
    assert any(m.startswith("_ext/") for m in mentions) and any(m.startswith("tests/") for m in mentions)
    problems = sorted(p for p in map(path_problem, mentions) if p)
    assert problems == []


def test_every_python_file_named_alone_exists():
    missing = sorted(name for name in bare_python_files(_readme()) if not _repository_files(name))
    assert missing == []


def test_every_module_named_exists():
    names = module_names(_readme())
    assert "handbook.devtools.fingerprints" in names  # the extractor sees the README's modules
    problems = sorted(p for p in map(module_problem, names) if p)
    assert problems == []


def test_every_handbook_command_exists():
    tree = ast.parse((EXT / "handbook" / "__main__.py").read_text(encoding="utf-8"))
    commands = next(
        ast.literal_eval(node.value) for node in tree.body
        if isinstance(node, ast.AnnAssign | ast.Assign)
        and "COMMANDS" in [t.id for t in getattr(node, "targets", [getattr(node, "target", None)]) if t is not None]
    )
    named = handbook_commands(_readme())
    assert named, "the README names no python -m handbook command"
    assert sorted(named - set(commands)) == []


def test_every_anchor_link_points_at_a_heading():
    text = _readme()
    links = set(ANCHOR_LINK_RE.findall(text))
    assert links
    assert sorted(links - anchors(text)) == []


def test_make_help_lists_every_target_the_readme_runs():
    result = subprocess.run(["make", "--no-print-directory", "help"], cwd=REPO, capture_output=True,
                            text=True, check=True)
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ") and line.split()}
    named = make_targets(_readme())
    assert {"test", "html", "pdf", "publish"} <= named
    assert sorted(named - listed) == []
