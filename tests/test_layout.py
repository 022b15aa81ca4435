"""The extension's layout (issue 20): one wing per capability, no import circle, pure modules pure."""

from __future__ import annotations

import ast
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest

from conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "_ext" / "handbook"

#: Modules with the logic and no Sphinx: importing one must not import Sphinx or docutils.
PURE_MODULES = [
    "handbook.doccontrol.model", "handbook.doccontrol.rules", "handbook.doccontrol.frontmatter",
    "handbook.doccontrol.builddate", "handbook.content.cmudict_lookup", "handbook.pdf.render",
    "handbook.links.checklinks", "handbook.links.linkreport", "handbook.editions.archive",
    "handbook.editions.changes", "handbook.editions.manifest", "handbook.editions.publish",
    "handbook.editions.gitrepo", "handbook.devtools.synthetic",
]


def module_names() -> dict[str, Path]:
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The handbook modules ``path`` imports, at any depth of the file (function-level included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("handbook"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("handbook"))
    return found & known.keys()


def test_no_import_circle():
    known = module_names()
    graph = {name: imports_of(path, known) for name, path in known.items()}
    state: dict[str, int] = {}
    circles = []

    def visit(name: str, stack: list[str]) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                circles.append(" -> ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert circles == []


def test_every_capability_is_a_documented_wing_with_setup():
    import handbook

    wings = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert sorted(name.split(".")[1] for name in handbook.CAPABILITIES) == [w for w in wings if w != "devtools"]
    for wing in wings:
        module = import_module(f"handbook.{wing}")
        assert module.__doc__ and module.__doc__.strip(), wing
        if wing != "devtools":
            assert callable(module.setup), wing
    assert not list(PACKAGE.glob("*.py")) or {p.name for p in PACKAGE.glob("*.py")} == {"__init__.py", "__main__.py"}


@pytest.mark.parametrize("name", PURE_MODULES)
def test_pure_modules_import_no_sphinx(name):
    code = f"import sys, {name}; print(sorted(m for m in sys.modules if m.split('.')[0] in ('sphinx', 'docutils')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={"PYTHONPATH": str(PACKAGE.parent)})
    assert result.stdout.strip() == "[]"
