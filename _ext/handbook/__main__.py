"""Command line of the handbook's tools: ``python -m handbook <command> [--help]``.

Each command is a module with ``add_arguments(parser)`` and ``run(args) -> int``;
add one line to ``COMMANDS`` for a new command. Run from the repository root
with ``_ext`` on the path (the Makefile's targets do).
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: command name -> (module, one-line help)
COMMANDS = {
    "publish": ("handbook.publish", "publish an edition into the archive (make publish EDITION=YYYY.N)"),
    "verify": ("handbook.verify", "check every published edition against its manifest (make verify)"),
    "site": ("handbook.site", "rebuild the archive from the edition-* tags (make site)"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        module.add_arguments(subparsers.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command][0])
    return module.run(args)


if __name__ == "__main__":
    sys.exit(main())
