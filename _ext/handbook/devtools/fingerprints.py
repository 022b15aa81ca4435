"""``python -m handbook.devtools.fingerprints``: regenerate the source articles' fingerprints.

Run it where the articles are present (``make fingerprints SEEDS=../shared/seeds``):
it reads every ``*.txt`` in the seed folder and writes
``tests/content/seed_fingerprints.json`` (hashed 8-word runs, whole lines and
phone numbers: see ``handbook.content.originality``; never the text). Commit
the file: the originality tests read only it. ``--check`` compares instead of
writing (exit 1 when the committed file is out of date).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from handbook.content import originality

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_OUTPUT = REPO_ROOT / "tests" / "content" / "seed_fingerprints.json"


def read_articles(seeds: Path) -> dict[str, str]:
    """The seed folder's articles: ``*.txt`` file name -> text.

    Raises ``FileNotFoundError`` when the folder is missing or holds no article,
    ``ValueError`` when an article is empty.
    """
    seeds = Path(seeds)
    if not seeds.is_dir():
        raise FileNotFoundError(f"no seed folder at {seeds}: name it, e.g. make fingerprints SEEDS=path/to/seeds")
    articles = {path.name: path.read_text(encoding="utf-8") for path in sorted(seeds.glob("*.txt"))}
    if not articles:
        raise FileNotFoundError(f"no article (*.txt) in {seeds}")
    empty = [name for name, text in articles.items() if not text.strip()]
    if empty:
        raise ValueError(f"empty article(s) in {seeds}: {', '.join(empty)}")
    return articles


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m handbook.devtools.fingerprints",
        description="Write the fingerprints of the source articles (hashed, never their text) "
        "that the originality tests compare the pages with.",
    )
    parser.add_argument("--seeds", type=Path, required=True,
                        help="the folder of source articles (*.txt), e.g. ../shared/seeds")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help=f"the fingerprint file (default: {DEFAULT_OUTPUT.relative_to(REPO_ROOT)})")
    parser.add_argument("--check", action="store_true",
                        help="do not write: exit 1 when the file differs from the articles' fingerprints")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        articles = read_articles(args.seeds)
    except (OSError, ValueError) as error:
        print(f"fingerprints: {error}", file=sys.stderr)
        return 2
    text = originality.fingerprints_json(articles)
    output = Path(args.output)
    if args.check:
        current = output.read_text(encoding="utf-8") if output.is_file() else ""
        if current != text:
            print(f"fingerprints: {output} is out of date: run make fingerprints SEEDS={args.seeds}", file=sys.stderr)
            return 1
        print(f"fingerprints: {output} matches the {len(articles)} articles in {args.seeds}")
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(output)
    print(f"fingerprints: wrote {output} ({len(articles)} articles)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
