"""``python -m handbook translations``: what is left to translate, per guide and language.

``status`` lists, for each language in ``handbook_languages`` and each guide:
the translation's state (missing, draft, stale, accepted, current; see
:mod:`handbook.i18n.control`), how many catalog entries are untranslated or
fuzzy (with the first ``file:line``), and the glossary rules broken.
``status --check`` exits 1 when a recorded translation is incomplete, breaks a
glossary rule, is stale without being accepted, or its register has a problem
(and, with ``handbook_translations_required``, when a guide has none): what
``make translations-check`` runs before handing catalogs back.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from handbook.i18n import catalogs, control, glossary

HELP = "translations: per guide and language, what is untranslated, fuzzy, stale, unreviewed or against the glossary"


def add_arguments(parser) -> None:
    parser.add_argument("action", choices=["status", "languages", "extract"],
                        help="status: the report; languages: the languages to build (handbook_languages that record a "
                             "translation); extract: rewrite the "
                             "extension's own template, _ext/handbook/i18n/locales/handbook.pot")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless every recorded translation is complete, clean and not stale")
    parser.add_argument("--source", type=Path, default=Path("."), help="the handbook's folder (default: .)")
    parser.add_argument("--all", action="store_true",
                        help="languages: every language of handbook_languages, translated or not yet")


def read_conf(source: Path) -> dict:
    """The settings of ``source/conf.py`` (it reads no clock and touches no network)."""
    return runpy.run_path(str(source / "conf.py"))


def guides(source: Path, folders: list[str]) -> list[tuple[str, str, str]]:
    """(docname, id, English version) of every guide in ``folders``."""
    from handbook.doccontrol.frontmatter import FrontMatterError, read_front_matter

    found = []
    for folder in folders:
        for path in sorted((source / folder).glob("*.md")):
            if path.stem == "index":
                continue
            try:
                front = read_front_matter(path)
            except (FrontMatterError, OSError):
                continue
            if front and isinstance(front.data.get("id"), str):
                found.append((f"{folder}/{path.stem}", front.data["id"], str(front.data.get("version", ""))))
    return found


def status(source: Path, out=sys.stdout) -> int:
    """Print the report; return the number of problems ``--check`` fails on."""
    from handbook.content.clinic import clinic_settings

    conf = read_conf(source)
    languages = conf.get("handbook_languages", [])
    folders = conf.get("handbook_translated_folders", ["patient-guides"])
    locale_dir = source / (conf.get("locale_dirs") or ["locales"])[0]
    clinic = clinic_settings(conf.get("handbook_clinic", {}))
    required = conf.get("handbook_translations_required", False)
    problems = 0
    if not languages:
        print("No translations: handbook_languages in conf.py is empty.", file=out)
        return 0
    for language in languages:
        records, register_problems, register = control.read_register(locale_dir, language)
        print(f"{language}: {register.relative_to(source) if register.is_relative_to(source) else register}", file=out)
        for problem in register_problems:
            print(f"  {register}:{problem.line}: {problem.message}", file=out)
            problems += 1
        glossary_file = locale_dir / language / "glossary.yaml"
        rules: list[glossary.Rule] = []
        if glossary_file.is_file():
            try:
                rules = glossary.read_rules(glossary_file, clinic)
            except glossary.GlossaryError as error:
                print(f"  {glossary_file}:{error.line}: {error}", file=out)
                problems += 1
        for docname, guide_id, version in guides(source, folders):
            record = records.get(guide_id)
            state = control.state(record, version)
            po = catalogs.catalog_path(locale_dir, language, docname)
            done = catalogs.completeness(po)
            po = po.relative_to(source) if po.is_relative_to(source) else po
            line = (f"  {guide_id} {docname}: {state}"
                    + (f" (translates {record.english_version}, English is {version})" if state in ("stale", "accepted") else "")
                    + f"; {done.total - len(done.untranslated) - len(done.fuzzy)}/{done.total} translated")
            if done.untranslated:
                line += f", {len(done.untranslated)} untranslated (first at {po}:{done.untranslated[0].line})"
            if done.fuzzy:
                line += f", {len(done.fuzzy)} fuzzy (first at {po}:{done.fuzzy[0].line})"
            findings = glossary.check(catalogs.read_catalog(source / po), rules) if (source / po).is_file() and rules else []
            if findings:
                line += f", {len(findings)} glossary"
            print(line, file=out)
            for finding in findings:
                print(f"    {po}:{finding.line}: {finding.message} [{finding.rule}]", file=out)
            if record is not None:
                problems += len(done.untranslated) + len(done.fuzzy) + len(findings) + (state == "stale")
                if done.total == 0:  # no catalog at all
                    print(f"    {po}: missing: run make translations-update", file=out)
                    problems += 1
            elif required:
                problems += 1
    return problems


def extract(package_dir: Path, template: Path) -> int:
    """Write the ``handbook`` catalog's template from the extension's code and print templates.

    Keywords: ``_``, ``N_`` and ``ngettext``. The template has no creation
    date, so running it twice changes nothing.
    """
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import write_po

    catalog = Catalog(project="handbook", version="", charset="utf-8", fuzzy=False)
    method_map = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
    options = {"**/templates/**.html": {"trim_blocks": "True", "lstrip_blocks": "True"}}
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    for filename, lineno, message, comments, context in extract_from_dir(
            str(package_dir), method_map, options_map=options, keywords=keywords, strip_comment_tags=True):
        catalog.add(message, None, [(f"handbook/{filename}", lineno)], auto_comments=comments, context=context)
    catalog.creation_date = catalog.revision_date = __import__("datetime").datetime(2026, 1, 1)
    template.parent.mkdir(parents=True, exist_ok=True)
    with template.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, sort_output=False, include_lineno=False)
    print(f"{template}: {len(catalog)} messages")
    return 0


def run(args) -> int:
    source = args.source.resolve()
    if args.action == "extract":
        from handbook.i18n.catalog import TEMPLATE

        return extract(TEMPLATE.parent.parent.parent, TEMPLATE)
    if args.action == "languages":
        from handbook.i18n.control import configured_languages

        languages = read_conf(source).get("handbook_languages", []) if args.all else configured_languages(source)
        print(" ".join(languages))
        return 0
    problems = status(source)
    if args.check and problems:
        print(f"translations: {problems} problem(s): translate the entries listed, fix the glossary findings, "
              "and record the review in locales/<lang>/translations.yaml", file=sys.stderr)
        return 1
    return 0
