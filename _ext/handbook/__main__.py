"""``python -m handbook <command>``: the handbook's command-line tools.

Each command lives in its own module, which provides ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int`` (the exit status). To add a
command, add one line to ``COMMANDS``. Every module is imported to build the
parser, so keep heavy imports (PDF libraries, Sphinx) inside the functions.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

#: Command name -> module implementing it.
COMMANDS = {
    "checklinks": "handbook.links.checklinks",
    "linkreport": "handbook.links.linkreport",
    "copypdfs": "handbook.pdf.render",
    "publish": "handbook.editions.publish",
    "verify": "handbook.editions.verify",
    "site": "handbook.editions.site",
    "preview": "handbook.devtools.preview",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m handbook",
        description="Tools for the ketamine clinic protocol handbook.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in COMMANDS.items():
        module = import_module(module_name)
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args._run(args)


if __name__ == "__main__":
    sys.exit(main())
