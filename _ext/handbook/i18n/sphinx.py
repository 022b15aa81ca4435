"""Sphinx glue for translations: the translated builds, their checks and the switchers.

A *translated build* is a build whose ``language`` is one of ``handbook_languages``
(``sphinx-build -D language=es``; ``make`` runs one per language into
``_build/html/<lang>/`` and ``_build/pdf/<lang>/``). In such a build:

* only the translated folders' pages are read (``handbook_translated_folders``:
  the patient guides), and of those only the guides the language's
  ``translations.yaml`` records (plus the folder's index, the build's root);
  staff protocols stay English, and links to them lead to the English site;
* every message left untranslated in a page is a ``handbook.translation``
  warning at the page's line, every glossary rule broken a
  ``handbook.glossary`` warning at the ``.po`` file's line;
* the translation's banners (stale, draft) go under the page title, in the
  page's language, and the Spanish reading level is checked
  (``handbook_readability_languages``);
* search uses the language's stemmer (Spanish: accents ignored).

In every HTML build, each guide page gets a language switcher linking the same
page in the other languages of the same edition (relative links, so they hold in
a published archive), and the readability report gets a column per language,
scored from the ``.po`` catalogs.

The gettext builder (``make translations-update``) reads the same pages as a
translated build, so the ``.pot`` files hold the guides and nothing else.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.nodes import extract_messages

from handbook.doccontrol.frontmatter import FrontMatterError, read_front_matter
from handbook.i18n import catalog, catalogs, control, glossary, readability_es
from handbook.i18n.catalog import _, base_language

logger = logging.getLogger(__name__)

ENV_SCORES = "handbook_i18n_readability"
DEFAULT_READABILITY = {"es": {"formula": readability_es.DEFAULT_FORMULA, "min_score": readability_es.DEFAULT_MIN_SCORE}}


# -- which build, which pages ----------------------------------------------------------


def translated_build(config: Config) -> str | None:
    """The language of a translated build, or ``None`` for the English (source) build."""
    language = config.language or catalog.SOURCE_LANGUAGE
    if catalog.is_source_language(language):
        return None
    languages = [base_language(lang) for lang in config.handbook_languages]
    return language if base_language(language) in languages or language in config.handbook_languages else None


def locale_dir(srcdir: Path, config: Config) -> Path:
    """The project's first locale folder (``locales/``), where catalogs and registers live."""
    dirs = list(config.locale_dirs or ["locales"])
    return Path(srcdir) / dirs[0]


def guide_ids(srcdir: Path, folders: list[str]) -> dict[str, str]:
    """docname -> document-control id of every page in the translated folders (index pages left out)."""
    found = {}
    for folder in folders:
        for path in sorted((Path(srcdir) / folder).glob("*.md")):
            if path.stem == "index":
                continue
            try:
                front = read_front_matter(path)
            except (FrontMatterError, OSError):
                continue  # document control reports it in the English build
            guide_id = front.data.get("id") if front else None
            if isinstance(guide_id, str):
                found[f"{folder}/{path.stem}"] = guide_id
    return found


def english_versions(srcdir: Path, folders: list[str]) -> dict[str, str]:
    """guide id -> the English guide's version, from the front matter."""
    versions = {}
    for folder in folders:
        for path in sorted((Path(srcdir) / folder).glob("*.md")):
            try:
                front = read_front_matter(path)
            except (FrontMatterError, OSError):
                continue
            if front and isinstance(front.data.get("id"), str):
                versions[front.data["id"]] = str(front.data.get("version", ""))
    return versions


def translated_docs(srcdir: Path, config: Config, language: str) -> list[str]:
    """The docnames a ``language`` build reads: the folders' index pages and the recorded guides."""
    records, _problems, _path = control.read_register(locale_dir(srcdir, config), base_language(language))
    folders = list(config.handbook_translated_folders)
    docs = [f"{folder}/index" for folder in folders if (Path(srcdir) / folder / "index.md").is_file()]
    docs += [docname for docname, guide_id in guide_ids(srcdir, folders).items() if guide_id in records]
    return sorted(docs)


def translations_by_language(app: Sphinx) -> dict[str, set[str]]:
    """language -> the docnames translated into it (for the language switcher)."""
    cached = getattr(app, "_handbook_translations", None)
    if cached is None:
        cached = {}
        ids = guide_ids(Path(app.srcdir), list(app.config.handbook_translated_folders))
        for language in app.config.handbook_languages:
            records, _p, _path = control.read_register(locale_dir(Path(app.srcdir), app.config), base_language(language))
            docs = {docname for docname, guide_id in ids.items() if guide_id in records}
            if docs:
                docs.update(f"{folder}/index" for folder in app.config.handbook_translated_folders)
            cached[language] = docs
        app._handbook_translations = cached
    return cached


# -- configuration ----------------------------------------------------------------------


def _unit_words() -> dict[str, Any]:
    """The decisions register's unit words in this build's language, from the handbook catalog."""
    from handbook.i18n.catalog import ngettext

    def word(forms) -> tuple[str, str]:
        return forms(1), forms(2)

    return {
        "units": {
            "min": {"staff": _("min"), "patient": word(lambda n: ngettext("minute", "minutes", n))},
            "h": {"staff": _("h"), "patient": word(lambda n: ngettext("hour", "hours", n))},
            "d": {"staff": _("d"), "patient": word(lambda n: ngettext("day", "days", n))},
            "weeks": {"staff": _("weeks"), "patient": word(lambda n: ngettext("week", "weeks", n))},
            "months": {"staff": _("months"), "patient": word(lambda n: ngettext("month", "months", n))},
            "%": {"staff": "%", "patient": ("%", "%")},
        },
        "range_dash": "\N{EN DASH}",
        "no_published_source": _("No published source"),
    }


class _DropWholeHandbookChecks(logging.logging.Filter):
    """A translated build reads only the guides: checks about the whole handbook say nothing there.

    "decision X is used by no page" and "guidance point X is covered by no
    protocol" are the English build's to make (it reads every page).
    """

    PATTERN = re.compile(r"decision LD-\d+ is used by no page|guidance point \S+ is covered by no protocol")

    def filter(self, record) -> bool:
        return not self.PATTERN.match(str(record.msg))


#: The module's own CSS (language switcher, translation banners).
STATIC_DIR = Path(__file__).parent / "static"


def configure(app: Sphinx, config: Config) -> None:
    """Settings of a translated build; the handbook catalog's words for the decisions register."""
    config.html_static_path = [*config.html_static_path, str(STATIC_DIR)]
    language = translated_build(config)
    try:
        from handbook.decisions import register as decisions_register
    except ImportError:  # a tree without the decisions register
        decisions_register = None
    if decisions_register is not None and language:
        decisions_register.UNIT_WORDS[language] = _unit_words()
        decisions_register.UNIT_WORDS[base_language(language)] = _unit_words()
    if language is None:
        return
    docs = translated_docs(Path(app.srcdir), config, language)
    config.include_patterns = [f"{doc}.md" for doc in docs]
    config.root_doc = config.handbook_translation_root
    config.html_search_language = base_language(language)
    config.handbook_readability_docs = []  # the English formula does not apply; see handbook_readability_languages
    config.handbook_switcher_json_url = "../" + config.handbook_switcher_json_url
    for name in ("project", "html_title", "author", "copyright"):
        value = getattr(config, name, None)
        if isinstance(value, str) and value:
            setattr(config, name, _(value))
    strings = {
        "prefix": f"{language}/",
        "archived": _("Archived edition {edition}"),
        "current": _("see the current edition"),
        "kept": _("Kept for audit: this page may no longer be in force."),
    }
    app.add_js_file(None, body="window.HANDBOOK_I18N = " + json.dumps(strings, ensure_ascii=False, sort_keys=True) + ";",
                    priority=100)


_DROP_WHOLE_HANDBOOK = _DropWholeHandbookChecks()
_WHOLE_HANDBOOK_LOGGERS = ("handbook.decisions.sphinx", "handbook.content.traceability")


def gettext_pages(app: Sphinx) -> None:
    """The gettext builder extracts the translated folders' pages only (every guide, recorded or not).

    Both it and a translated build read only some pages: the decisions the
    staff protocols use are not "used by no page" there.
    """
    if _is_partial_build(app):
        for name in _WHOLE_HANDBOOK_LOGGERS:
            logging.getLogger(name).logger.addFilter(_DROP_WHOLE_HANDBOOK)
    if app.builder.name != "gettext":
        return
    folders = list(app.config.handbook_translated_folders)
    app.config.include_patterns = [f"{folder}/**" for folder in folders]
    app.config.root_doc = app.config.handbook_translation_root


def _build_finished(app: Sphinx, exception) -> None:
    for name in _WHOLE_HANDBOOK_LOGGERS:
        logging.getLogger(name).logger.removeFilter(_DROP_WHOLE_HANDBOOK)
    language = translated_build(app.config)
    if language and app.builder.name == "handbookpdf":
        # A translated build prints the guides only; the staff's sign-off sheet stays English.
        Path(app.outdir, "decisions-signoff.pdf").unlink(missing_ok=True)
    if exception is None and language and app.builder.name == "html" and app.config.root_doc != "index":
        # <lang>/index.html: where the edition switcher falls back to, and a short address to give patients.
        from html import escape

        target = escape(app.builder.get_target_uri(app.config.root_doc))
        title = escape(str(app.config.html_title or app.config.project))
        Path(app.outdir, "index.html").write_text(
            f'<!DOCTYPE html>\n<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{title}</title>\n"
            f'<meta http-equiv="refresh" content="0; url={target}">\n</head>\n'
            f'<body><p><a href="{target}">{title}</a></p></body>\n</html>\n', encoding="utf-8")


def _is_partial_build(app: Sphinx) -> bool:
    return translated_build(app.config) is not None or app.builder.name == "gettext"


# -- links to pages a translated build does not have ------------------------------------------


class EnglishPageLinks(SphinxPostTransform):
    """A link to a page left out of a translated build (a staff protocol) leads to the English page."""

    default_priority = 5  # before MyST's resolver, which would warn "Unknown source document"

    def run(self, **kwargs: Any) -> None:
        builder = self.env._builder_cls  # Sphinx 9: SphinxTransform.app is deprecated
        if translated_build(self.config) is None and builder.name != "gettext":
            return
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("refdomain") != "doc" or node.get("reftype") != "myst":
                continue
            target = node["reftarget"]
            if target in self.env.all_docs or not (Path(self.env.srcdir) / f"{target}.md").is_file():
                continue
            content = node[0].deepcopy() if node.children else nodes.inline("", target)
            uri = self._english_uri(target, node.get("reftargetid"))
            if uri is None:
                node.replace_self(nodes.inline("", "", *content.children, classes=["xref-offline"]))
            else:
                ref = nodes.reference("", "", *content.children, refuri=uri, classes=["handbook-english-page"])
                node.replace_self(ref)

    def _english_uri(self, target: str, anchor: str | None) -> str | None:
        builder = self.env._builder_cls
        suffix = f"#{anchor}" if anchor else ""
        if builder.name == "handbookpdf":
            base = self.config.handbook_clinic.get("base_url", "").strip()
            return f"{base.rstrip('/')}/{target}.html{suffix}" if base else None
        if builder.name not in ("html", "dirhtml") or translated_build(self.config) is None:
            return None
        file_suffix = self.config.html_file_suffix or ".html"
        depth = self.env.docname.count("/") + 1  # out of the page's folder, then out of <lang>/
        return "../" * depth + target + file_suffix + suffix


# -- reading a translated page ------------------------------------------------------------


def _catalog_of(app: Sphinx, docname: str, language: str) -> Path:
    return catalogs.catalog_path(locale_dir(Path(app.srcdir), app.config), base_language(language), docname)


def _has_letters(text: str) -> bool:
    """Whether ``text`` has words to translate (not only numbers, signs or ``&nbsp;``)."""
    return bool(re.search(r"[^\W\d_]{2,}", re.sub(r"&#?\w+;", "", text)))


def _history_summaries(doctree: nodes.document):
    for section in doctree.findall(nodes.section):
        if "change-history" in section["ids"]:
            for row in section.findall(nodes.row):
                if isinstance(row.parent, nodes.tbody) and len(row) == 3:
                    yield from row[2].findall(nodes.paragraph)


def read_translated_page(app: Sphinx, doctree: nodes.document) -> None:
    """Check a translated page is fully translated; translate what was added after Sphinx did.

    For the gettext builder: the change history's summaries (added by document
    control after parsing) become messages of the page, at the front matter's
    ``history:`` line.
    """
    if app.builder.name == "gettext":
        source = doctree.get("source")
        text = Path(source).read_text(encoding="utf-8") if source and Path(source).is_file() else ""
        line = next((n for n, l in enumerate(text.splitlines(), 1) if l.startswith("history:")), 1)
        for paragraph in _history_summaries(doctree):
            paragraph.source, paragraph.line = source, line
            paragraph.rawsource = paragraph.astext()
        return
    language = translated_build(app.config)
    if language is None:
        return
    docname = app.env.docname
    po = _catalog_of(app, docname, language)
    entries = catalogs.read_catalog(po) if po.is_file() else []
    done = {e.msgid: e.msgstr for e in entries if e.translated}
    fuzzy = {e.msgid: e.line for e in entries if e.fuzzy and e.msgstr}
    history = [s for s in doctree.findall(nodes.section) if "change-history" in s["ids"]]
    late = {id(n) for s in history for n in s.findall()}
    for node, msg in extract_messages(doctree):
        if node.get("translated") or id(node) in late or not _has_letters(msg):
            continue
        if any(isinstance(a, (nodes.docinfo, nodes.field_list)) for a in _ancestors(node)):
            continue  # front matter: document control shows it, translated by the handbook catalog
        if done.get(msg) == msg:  # the translator kept it as it is (a name)
            continue
        shown = " ".join(msg.split())
        shown = shown if len(shown) <= 70 else shown[:67] + "..."
        if msg in fuzzy:
            logger.warning(
                "not translated into %s: %r is marked fuzzy in %s:%d (the English changed): check the "
                "translation and remove the fuzzy flag", language, shown, _relative(app, po), fuzzy[msg],
                type="handbook", subtype="translation", location=node,
            )
            continue
        logger.warning(
            "not translated into %s: %r; translate it in %s (make translations-update adds new text)",
            language, shown, _relative(app, po), type="handbook", subtype="translation", location=node,
        )
    # The change history is added after Sphinx translated the page: its summaries too.
    for paragraph in _history_summaries(doctree):
        text = paragraph.astext()
        if text in done:
            paragraph.children = [nodes.Text(done[text])]
        else:
            logger.warning("not translated into %s: the change history's %r; translate it in %s",
                           language, text, _relative(app, po), type="handbook", subtype="translation",
                           location=(docname, 1))
    # A translated paragraph loses the "For staff:" label the directive put in it.
    label = _("For staff:")
    for box in doctree.findall(nodes.container):
        if "handbook-for-staff" in box["classes"] and box.children and isinstance(box[0], nodes.paragraph):
            first = box[0]
            if not (first.children and isinstance(first[0], nodes.strong) and first[0].astext() == label):
                first.insert(0, nodes.Text(" "))
                first.insert(0, nodes.strong(label, label))


def _ancestors(node: nodes.Node):
    while node is not None:
        yield node
        node = node.parent


def _relative(app: Sphinx, path: Path) -> str:
    try:
        return Path(path).relative_to(app.srcdir).as_posix()
    except ValueError:
        return str(path)


# -- reading level in other languages ----------------------------------------------------


def _readability_settings(app: Sphinx) -> dict[str, dict]:
    settings = {}
    for language, value in (app.config.handbook_readability_languages or {}).items():
        formula = value.get("formula", readability_es.DEFAULT_FORMULA)
        if formula not in readability_es.FORMULAS:
            from sphinx.errors import ConfigError

            raise ConfigError(f"handbook_readability_languages[{language!r}]: formula must be one of "
                              f"{', '.join(readability_es.FORMULAS)}, not {formula!r}")
        settings[language] = {"formula": formula, "min_score": float(value.get("min_score", readability_es.DEFAULT_MIN_SCORE))}
    return settings


def _scores(env: BuildEnvironment) -> dict[str, dict[str, readability_es.SpanishReadability]]:
    if not hasattr(env, ENV_SCORES):
        setattr(env, ENV_SCORES, {})
    return getattr(env, ENV_SCORES)


def _body_nodes(doctree: nodes.Node):
    from handbook.content.readability import _excluded

    def walk(node):
        if _excluded(node):
            return
        if isinstance(node, (nodes.paragraph, nodes.term)):
            yield node
            return
        for child in node.children if isinstance(node, nodes.Element) else ():
            yield from walk(child)

    yield from walk(doctree)


def score_languages(app: Sphinx, doctree: nodes.document) -> None:
    """Score a guide's reading level in each language that has a formula.

    In a translated build: the page as translated, with a warning below the
    limit. In the English build: the ``.po`` catalog's translations of the same
    paragraphs, for the readability report.
    """
    from handbook.content.readability import is_scored

    docname = app.env.docname
    settings = _readability_settings(app)
    language = translated_build(app.config)
    if language is not None:
        setting = settings.get(language) or settings.get(base_language(language))
        title = doctree.next_node(nodes.title)
        if setting is None or docname.rsplit("/", 1)[-1] == "index" or title is None:
            return
        if not any(docname.startswith(folder + "/") for folder in app.config.handbook_translated_folders):
            return
        from handbook.content.readability import body_blocks

        score = readability_es.readability(body_blocks(doctree), setting["formula"])
        _scores(app.env)[docname] = {language: score}
        if not score.passes(setting["min_score"]):
            logger.warning(
                "reading level in %s is %.1f (%s, %s), below the limit of %.1f: use shorter sentences "
                "and everyday words", language, score.score, readability_es.FORMULA_NAMES[score.formula],
                score.band, setting["min_score"], type="handbook", subtype="readability", location=(docname, title.line),
            )
        return
    if not is_scored(docname, app.config.handbook_readability_docs):
        return
    messages = {id(node): msg for node, msg in extract_messages(doctree)}
    found = {}
    for lang in app.config.handbook_languages:
        setting = settings.get(lang) or settings.get(base_language(lang))
        if setting is None:
            continue
        done = catalogs.translations(_catalog_of(app, docname, lang))
        if not done:
            continue
        blocks = [readability_es.plain_text(done.get(messages.get(id(node), ""), "")) for node in _body_nodes(doctree)]
        if not any(blocks):
            continue
        found[lang] = readability_es.readability(blocks, setting["formula"])
    if found:
        _scores(app.env)[docname] = found
    else:
        _scores(app.env).pop(docname, None)


def report_columns(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    """Add each language's score beside the English grade in the readability report."""
    if translated_build(app.config) is not None:
        return
    tables = [t for t in doctree.findall(nodes.table) if "handbook-readability" in t["classes"]]
    if not tables:
        return
    from handbook.content.readability import _scores as english_scores
    from handbook.content.readability import report_rows

    guides = report_rows(english_scores(app.env).values())
    settings = _readability_settings(app)
    scores = _scores(app.env)
    from babel import Locale

    for table in tables:
        group = table[0]
        head_row = group.next_node(nodes.thead).next_node(nodes.row)
        body_rows = list(group.next_node(nodes.tbody).findall(nodes.row))
        for language in app.config.handbook_languages:
            setting = settings.get(language) or settings.get(base_language(language))
            name = Locale.parse(base_language(language)).get_display_name("en")
            if setting is None:
                header = f"{name}: no reading-level formula"
            else:
                header = f"{name}: {readability_es.FORMULA_NAMES[setting['formula']]} (pass at {setting['min_score']:.0f})"
            group["cols"] += 1
            group.insert(group.first_child_matching_class(nodes.thead), nodes.colspec(colwidth=22))
            head_row += nodes.entry("", nodes.paragraph(header, header))
            for guide, row in zip(guides, body_rows):
                score = scores.get(guide.docname, {}).get(language)
                if setting is None or score is None:
                    text = "not translated" if score is None else "not scored"
                else:
                    verdict = "Pass" if score.passes(setting["min_score"]) else "Fail"
                    text = f"{score.score:.1f} {score.band} \N{EN DASH} {verdict}"
                row += nodes.entry("", nodes.paragraph(text, text))
        intro = nodes.paragraph(
            "", "Other languages are scored from their translation catalogs "
            "(locales/<language>/LC_MESSAGES/), with syllables counted by pylabeador: Szigriszt-Pazos "
            "206.835 \N{MINUS SIGN} 62.3 \N{MULTIPLICATION SIGN} (syllables \N{DIVISION SIGN} words) "
            "\N{MINUS SIGN} (words \N{DIVISION SIGN} sentences) on the INFLESZ scale (65\N{EN DASH}80 bastante "
            "fácil, 80 and above muy fácil).", classes=["handbook-readability-languages"])
        table.parent.insert(table.parent.index(table), intro)


# -- checks on every build -------------------------------------------------------------


def _glossary_files(app: Sphinx, language: str) -> list[Path]:
    configured = app.config.handbook_glossary_files
    if configured is not None:
        files = configured.get(language) or configured.get(base_language(language)) or []
        return [Path(app.srcdir, f) for f in files]
    path = locale_dir(Path(app.srcdir), app.config) / base_language(language) / "glossary.yaml"
    return [path] if path.is_file() else []


def check_translations(app: Sphinx, env: BuildEnvironment) -> None:
    """The register, the glossary and the missing translations of a translated build."""
    language = translated_build(app.config)
    if language is None:
        return
    from handbook.content.clinic import clinic_settings

    root = locale_dir(Path(app.srcdir), app.config)
    records, problems, register = control.read_register(root, base_language(language))
    for problem in problems:
        logger.warning(problem.message, type="handbook", subtype="translation",
                       location=f"{_relative(app, register)}:{problem.line}")
    ids = guide_ids(Path(app.srcdir), list(app.config.handbook_translated_folders))
    known = set(ids.values())
    for guide_id, record in sorted(records.items()):
        if guide_id not in known:
            logger.warning("%s is not a guide in %s: remove its record or fix the id", guide_id,
                           ", ".join(app.config.handbook_translated_folders), type="handbook",
                           subtype="translation", location=f"{_relative(app, register)}:{record.line}")
    if app.config.handbook_translations_required:
        for docname, guide_id in sorted(ids.items()):
            if guide_id not in records:
                logger.warning("%s has no %s translation (handbook_translations_required): translate %s and "
                               "record it in %s", guide_id, language, _relative(app, _catalog_of(app, docname, language)),
                               _relative(app, register), type="handbook", subtype="translation",
                               location=(docname, 1) if docname in env.all_docs else f"{docname}.md:1")
    clinic = clinic_settings(app.config.handbook_clinic)
    rules: list[glossary.Rule] = []
    for path in _glossary_files(app, language):
        try:
            rules += glossary.read_rules(path, clinic)
        except glossary.GlossaryError as error:
            logger.warning(str(error), type="handbook", subtype="glossary", location=f"{_relative(app, path)}:{error.line}")
        except OSError as error:
            logger.warning("cannot read the glossary: %s", error.strerror, type="handbook", subtype="glossary",
                           location=str(path))
    for docname in sorted(env.found_docs):
        po = _catalog_of(app, docname, language)
        if not po.is_file():
            continue
        entries = catalogs.read_catalog(po)
        for finding in glossary.check(entries, rules):
            logger.warning("%s [%s]", finding.message, finding.rule, type="handbook", subtype="glossary",
                           location=f"{_relative(app, po)}:{finding.line}")
        for line, decision_id in _decisions_without_wording(env, entries, language):
            logger.warning(
                "{decision}`%s` has an English patient wording but none in %s, so it prints the value alone: "
                "add wording.%s.patient to %s, or write the sentence here around {decision-value}`%s`",
                decision_id, language, base_language(language), app.config.handbook_decisions_file, decision_id,
                type="handbook", subtype="translation", location=f"{_relative(app, po)}:{line}")
        for line, decision_id in _text_values_untranslated(env, entries, language):
            logger.warning(
                "{decision-value}`%s` prints a text value, which is English: add wording.%s.value to %s",
                decision_id, base_language(language), app.config.handbook_decisions_file,
                type="handbook", subtype="translation", location=f"{_relative(app, po)}:{line}")


_DECISION_ROLE = re.compile(r"\{decision\}`\s*(LD-\d+)\s*`")
_DECISION_VALUE_ROLE = re.compile(r"\{decision-value\}`\s*(LD-\d+)\s*`")


def _decisions_in_translations(env: BuildEnvironment, entries, role: re.Pattern, lacks) -> list[tuple[int, str]]:
    """(line, id) of each decision ``role`` in a translated entry for which ``lacks(decision)`` holds."""
    try:
        from handbook.decisions.sphinx import register_of
    except ImportError:
        return []
    register = register_of(env)
    if register is None:
        return []
    found = []
    for entry in entries:
        if not entry.translated:
            continue
        for decision_id in role.findall(entry.msgstr):
            decision = register.decisions.get(decision_id)
            if decision is not None and lacks(decision):
                found.append((entry.line, decision_id))
    return found


def _decisions_without_wording(env: BuildEnvironment, entries, language: str) -> list[tuple[int, str]]:
    """(line, id) of each ``{decision}`` in a translation whose decision has an English patient
    wording but none in ``language``: the translated sentence would shrink to the bare value."""

    def lacks(decision) -> bool:
        if not isinstance(decision.wording.get("patient"), str):
            return False
        block = decision.wording.get(language) or decision.wording.get(base_language(language))
        return not (isinstance(block, dict) and isinstance(block.get("patient"), str))

    return _decisions_in_translations(env, entries, _DECISION_ROLE, lacks)


def _text_values_untranslated(env: BuildEnvironment, entries, language: str) -> list[tuple[int, str]]:
    """(line, id) of each ``{decision-value}`` of a text or choice decision with no value in ``language``."""
    from handbook.decisions.register import translated_value

    return _decisions_in_translations(
        env, entries, _DECISION_VALUE_ROLE,
        lambda decision: decision.type in ("text", "choice") and translated_value(decision, language) is None)


# -- what a reader sees: banners and the language switcher --------------------------------


def language_name(language: str) -> str:
    """A language's own name for itself, capitalised: ``es`` -> ``Español``, ``vi`` -> ``Tiếng Việt``."""
    from babel import Locale

    name = Locale.parse(language.replace("-", "_")).get_display_name(language.replace("-", "_")) or language
    return name[:1].upper() + name[1:]


def _top_section(doctree: nodes.document) -> nodes.section | None:
    return next(iter(doctree.findall(nodes.section)), None)


def _insert_after_title_and_banners(section: nodes.section, new: list[nodes.Node]) -> None:
    """After document control's banners when there are some, else right under the title."""
    banners = [i for i, child in enumerate(section.children)
               if isinstance(child, nodes.Element) and "handbook-banner" in child.get("classes", [])]
    index = banners[-1] + 1 if banners else (1 if section.children and isinstance(section[0], nodes.title) else 0)
    section[index:index] = new


def resolve_page(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Banners of a translated guide; the language switcher on every translated guide, both ways."""
    if app.builder.format != "html":
        return
    from handbook.doccontrol import model as doccontrol
    from handbook.doccontrol.render import handbook_block

    section = _top_section(doctree)
    if section is None:
        return
    language = translated_build(app.config)
    is_pdf = app.builder.name == "handbookpdf"
    depth = app.builder.get_target_uri(docname).count("/") if not is_pdf else 0
    english_uri = "../" * (depth + 1) + f"{docname}.html"
    if language is not None:
        doc = doccontrol.document_control(app.env, docname)
        if doc is not None:
            records, _problems, _path = control.read_register(locale_dir(Path(app.srcdir), app.config), base_language(language))
            blocks = []
            for banner in control.banners(records.get(doc.id), doc.version):
                paragraph = nodes.paragraph()
                headline, sep, rest = banner.text.partition(" \N{EM DASH} ")
                if sep:
                    paragraph += nodes.strong(headline, headline)
                    paragraph += nodes.Text(sep + rest)
                else:
                    paragraph += nodes.strong(banner.text, banner.text)
                if not is_pdf:
                    paragraph += nodes.Text(" ")
                    paragraph += nodes.reference(banner.link_text, banner.link_text, refuri=english_uri)
                    paragraph += nodes.Text(".")
                blocks.append(handbook_block("", paragraph, tag="div", role="note",
                                             classes=["handbook-banner", f"handbook-banner-{banner.kind}"]))
            _insert_after_title_and_banners(section, blocks)
    if is_pdf:
        return
    # The language switcher: the same page in the other languages of this edition.
    links = []
    if language is None:
        for lang, docs in translations_by_language(app).items():
            if docname in docs:
                links.append((lang, "../" * depth + f"{lang}/{docname}.html"))
    else:
        links.append((catalog.SOURCE_LANGUAGE, english_uri))
        for lang, docs in translations_by_language(app).items():
            if lang != language and docname in docs:
                links.append((lang, "../" * (depth + 1) + f"{lang}/{docname}.html"))
    if not links:
        return
    from html import escape

    label = _("Language")
    anchors = " ".join(
        f'<a class="handbook-language-link" href="{escape(uri)}" hreflang="{escape(lang)}" lang="{escape(lang)}">'
        f"{escape(language_name(lang))}</a>" for lang, uri in links)
    current = escape(language_name(language or catalog.SOURCE_LANGUAGE))
    html = (f'<nav class="handbook-language-switcher" aria-label="{escape(label)}">'
            f'<span class="handbook-language-current">{escape(label)}: {current}</span> \N{MIDDLE DOT} {anchors}</nav>')
    switcher = nodes.raw("", html, format="html")
    section.insert(1 if section.children and isinstance(section[0], nodes.title) else 0, switcher)
    doctree.setdefault("handbook_alternates", []).extend(links)


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """``<link rel="alternate" hreflang>`` for each language the page exists in."""
    if doctree is None or not doctree.get("handbook_alternates"):
        return
    from html import escape

    tags = "".join(f'<link rel="alternate" hreflang="{escape(lang)}" href="{escape(uri)}">\n'
                   for lang, uri in doctree["handbook_alternates"])
    context["metatags"] = context.get("metatags", "") + tags


# -- parallel builds and incremental rebuilds ---------------------------------------------


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _scores(env).pop(docname, None)


def merge(app: Sphinx, env: BuildEnvironment, docnames, other: BuildEnvironment) -> None:
    theirs = getattr(other, ENV_SCORES, {})
    _scores(env).update({name: theirs[name] for name in docnames if name in theirs})


def _control_state(app: Sphinx) -> str:
    """A digest of what every page's banners, switcher and fixed words depend on: each
    language's ``translations.yaml`` and the ``handbook`` catalogs of this build's language."""
    import hashlib

    digest = hashlib.sha256()
    root = locale_dir(Path(app.srcdir), app.config)
    project_dirs = [Path(app.srcdir) / d for d in (app.config.locale_dirs or [])]
    language = app.config.language or catalog.SOURCE_LANGUAGE
    files = [root / base_language(lang) / control.REGISTER_NAME for lang in app.config.handbook_languages]
    if not catalog.is_source_language(language):
        files += catalog.catalog_sources(language, project_dirs)
    for path in files:
        digest.update(str(path).encode())
        digest.update(path.read_bytes() if path.is_file() else b"(none)")
    return digest.hexdigest()


def outdated(app: Sphinx, env: BuildEnvironment, added, changed, removed) -> list[str]:
    """Pages to rebuild that Sphinx does not know about.

    When a ``translations.yaml`` or a ``handbook`` catalog changed (a review
    recorded, a guide translated, a word of the extension's catalog), every page:
    banners, switchers and fixed words depend on them. In the English build,
    the guides whose ``.po`` catalog changed (the readability report scores them).
    """
    state = _control_state(app)
    if getattr(env, "handbook_i18n_control_state", None) != state:
        env.handbook_i18n_control_state = state
        return sorted(set(env.found_docs) - set(added) - set(changed))
    if translated_build(app.config) is not None or not app.config.handbook_languages:
        return []
    stamp = {}
    for docname in env.found_docs:
        for lang in app.config.handbook_languages:
            po = _catalog_of(app, docname, lang)
            if po.is_file():
                stamp[f"{lang}:{docname}"] = po.stat().st_mtime_ns
    previous = getattr(env, "handbook_i18n_catalog_stamp", {})
    env.handbook_i18n_catalog_stamp = stamp
    again = {key.split(":", 1)[1] for key in set(stamp) | set(previous) if stamp.get(key) != previous.get(key)}
    reports = set(getattr(env, "handbook_readability_reports", set()))
    if again:
        again |= reports
    return sorted((again & set(env.found_docs)) - set(added) - set(changed))


def setup(app: Sphinx) -> None:
    from handbook.i18n import search

    app.add_config_value("handbook_languages", [], "env", list)
    app.add_config_value("handbook_translated_folders", ["patient-guides"], "env", list)
    app.add_config_value("handbook_translation_root", "patient-guides/index", "env", str)
    app.add_config_value("handbook_translations_required", False, "env", bool)
    app.add_config_value("handbook_readability_languages", DEFAULT_READABILITY, "env", dict)
    app.add_config_value("handbook_glossary_files", None, "env", (dict, type(None)))
    # The handbook catalog in this build's language (Sphinx has read conf.py and -D already).
    language = app.config.language or catalog.SOURCE_LANGUAGE
    project_dirs = [Path(app.srcdir) / d for d in (app.config.locale_dirs or [])]
    catalog.install(language, project_dirs, Path(app.doctreedir) / "handbook-locale")
    search.register()
    app.connect("config-inited", configure, priority=400)
    app.add_css_file("handbook-i18n.css")
    app.connect("builder-inited", gettext_pages)
    app.add_post_transform(EnglishPageLinks)
    app.connect("doctree-read", read_translated_page, priority=450)
    app.connect("doctree-read", score_languages, priority=910)
    app.connect("env-check-consistency", check_translations)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-get-outdated", outdated)
    app.connect("doctree-resolved", resolve_page, priority=600)
    app.connect("doctree-resolved", report_columns, priority=600)
    app.connect("html-page-context", page_context)
    app.connect("build-finished", _build_finished)
