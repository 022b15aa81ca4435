"""Sphinx glue for document control: read, check, render, register.

* ``doctree-read``: read a controlled page's front matter (with
  ``handbook.frontmatter``), check it, keep the result on the environment and
  add the change-history section (early, so it is in the page's contents).
* ``env-check-consistency``: report every problem of every page, and the
  cross-page ones (duplicate ids, unknown replacements), as warnings
  ``[handbook.<subtype>]`` at the offending key's line. Reporting here, on
  every build, keeps an incremental build as strict as a fresh one.
* ``doctree-resolved``: banners and the document-control panel under the
  title; the ``handbook-register`` directive's tables.
* ``build-finished``: ``register.json`` beside the HTML.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from handbook.doccontrol.builddate import build_date
from handbook.doccontrol.model import (
    ENV_ATTR,
    banners,
    controlled_documents,
    document_control,
    due_for_review,
)
from handbook.doccontrol.render import (
    banner_nodes,
    depart_handbook_block_html,
    depart_handbook_block_other,
    due_list,
    handbook_block,
    history_section,
    panel,
    register_json,
    register_table,
    visit_handbook_block_html,
    visit_handbook_block_other,
)
from handbook.doccontrol.rules import PageRecord, check_handbook, check_page

logger = logging.getLogger(__name__)

#: Pages holding a register, and the folders they list.
REGISTER_ATTR = "handbook_register_pages"
#: The build date the pages were last rendered for.
DATE_ATTR = "handbook_doccontrol_date"

DEFAULT_FOLDERS = {"protocols": "PR", "patient-guides": "PG"}


class register_placeholder(nodes.General, nodes.Element):
    """Where a register table or due-for-review list goes once every page is read."""


def controlled_folder(docname: str, folders: dict[str, str]) -> str | None:
    """The controlled folder ``docname`` belongs to; ``None`` for other pages and index pages."""
    if docname.rpartition("/")[2] == "index":
        return None
    for folder in folders:
        if docname.startswith(folder.rstrip("/") + "/"):
            return folder
    return None


def _records(env: BuildEnvironment) -> dict[str, PageRecord]:
    if not hasattr(env, ENV_ATTR):
        setattr(env, ENV_ATTR, {})
    return getattr(env, ENV_ATTR)


def _register_pages(env: BuildEnvironment) -> dict[str, tuple[str, ...]]:
    if not hasattr(env, REGISTER_ATTR):
        setattr(env, REGISTER_ATTR, {})
    return getattr(env, REGISTER_ATTR)


def _top_section(doctree: nodes.document) -> nodes.section | None:
    return next(iter(doctree.findall(nodes.section)), None)


def read_page(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    docname = env.docname
    folder = controlled_folder(docname, app.config.handbook_controlled_folders)
    if folder is None:
        return
    section = _top_section(doctree)
    title = section[0].astext() if section is not None and isinstance(section[0], nodes.title) else docname
    text = Path(env.doc2path(docname)).read_text(encoding="utf-8")
    record = check_page(
        text, docname, title,
        id_prefix=app.config.handbook_controlled_folders[folder],
        review_cycle_months=app.config.handbook_review_cycle_months,
    )
    _records(env)[docname] = record
    if record.doc is not None:
        (section if section is not None else doctree).append(history_section(record.doc))


def purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _records(env).pop(docname, None)
    _register_pages(env).pop(docname, None)


def merge_info(app: Sphinx, env: BuildEnvironment, docnames, other: BuildEnvironment) -> None:
    for docname in docnames:
        if docname in _records(other):
            _records(env)[docname] = _records(other)[docname]
        if docname in _register_pages(other):
            _register_pages(env)[docname] = _register_pages(other)[docname]


def outdated(app: Sphinx, env: BuildEnvironment, added, changed, removed) -> list[str]:
    """Pages to read again although their source did not change.

    A page with a problem is always read again, so that Sphinx checks
    consistency and the problem is reported on every build, not only the
    first. Registers and superseded pages show other pages' metadata, so they
    are read again whenever a controlled page changes (a register only when a
    page of a folder it lists did). When the build date
    moved (a new day, a new ``SOURCE_DATE_EPOCH``), every controlled page and
    register is, because banners and due lists depend on it.
    """
    records = _records(env)
    touched = set(added) | set(changed) | set(removed)
    again = {name for name, record in records.items() if record.problems}
    again.update(problem.docname for problem in check_handbook(records.values()))
    folders = app.config.handbook_controlled_folders
    touched_folders = {controlled_folder(docname, folders) for docname in touched} - {None}
    if touched_folders:
        # Only the registers of the folders that changed: a guide edit leaves
        # the protocols register as it was.
        again.update(name for name, shown in _register_pages(env).items() if touched_folders & set(shown))
        again.update(name for name, record in records.items() if record.superseded_by)
    today = _today(app)
    if getattr(env, DATE_ATTR, None) != today:
        again.update(records)
        again.update(_register_pages(env))
        setattr(env, DATE_ATTR, today)
    return sorted(again - touched - set(removed))


def report(app: Sphinx, env: BuildEnvironment) -> None:
    records = _records(env)
    problems = [problem for docname in sorted(records) for problem in records[docname].problems]
    problems += check_handbook(records.values())
    for problem in sorted(problems, key=lambda p: (p.docname, p.line, p.subtype, p.message)):
        logger.warning(problem.message, type="handbook", subtype=problem.subtype,
                       location=(problem.docname, problem.line))


def _uri_for(app: Sphinx, fromdocname: str):
    def uri_for(target: str) -> str | None:
        if target not in app.env.all_docs:
            return None
        return app.builder.get_relative_uri(fromdocname, target)
    return uri_for


def _today(app: Sphinx):
    return build_date(app.config.handbook_build_date)


def resolve_page(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    uri_for = _uri_for(app, docname)
    doc = document_control(app.env, docname)
    if doc is not None:
        section = _top_section(doctree)
        if section is not None and section.children and isinstance(section[0], nodes.title):
            top = [*banner_nodes(banners(doc, _today(app)), uri_for), panel(doc)]
            section[1:1] = top
    for placeholder in list(doctree.findall(register_placeholder)):
        folder = placeholder["folder"]
        docs = [d for d in controlled_documents(app.env) if d.folder == folder]
        if placeholder["kind"] == "table":
            new = register_table(docs, uri_for, placeholder["caption"], f"register-table-{folder}")
        else:
            days = app.config.handbook_review_due_days
            new = due_list(due_for_review(docs, _today(app), days), _today(app), days, uri_for)
        placeholder.replace_self(new)


def write_register(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    text = register_json(controlled_documents(app.env), app.builder.get_target_uri)
    Path(app.outdir, "register.json").write_text(text, encoding="utf-8")


class RegisterDirective(SphinxDirective):
    """``handbook-register``: the register of one controlled folder and what is due for review."""

    has_content = False
    option_spec = {"folder": directives.unchanged_required, "caption": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        folders = self.config.handbook_controlled_folders
        folder = self.options.get("folder", "").strip().strip("/")
        if folder not in folders:
            raise self.error(
                f"handbook-register needs :folder: naming one of the controlled folders "
                f"({', '.join(folders)}), not {folder!r}"
            )
        pages = _register_pages(self.env)
        pages[self.env.docname] = tuple(sorted({*pages.get(self.env.docname, ()), folder}))
        caption = self.options.get("caption") or f"Controlled documents in {folder}/"
        days = self.config.handbook_review_due_days

        register = nodes.section(ids=[f"register-{folder}"], names=[f"register-{folder}"])
        register += nodes.title("Register", "Register")
        register += register_placeholder(folder=folder, kind="table", caption=caption)
        due = nodes.section(ids=[f"due-for-review-{folder}"], names=[f"due-for-review-{folder}"])
        title = f"Due for review in the next {days} days"
        due += nodes.title(title, title)
        due += register_placeholder(folder=folder, kind="due", caption="")
        for section in (register, due):
            self.set_source_info(section)
            self.state.document.note_explicit_target(section)
        return [register, due]


def setup(app: Sphinx) -> dict:
    # Controlled folder -> the id prefix of its pages.
    app.add_config_value("handbook_controlled_folders", dict(DEFAULT_FOLDERS), "env", dict)
    app.add_config_value("handbook_review_due_days", 90, "env", int)
    app.add_node(
        handbook_block,
        html=(visit_handbook_block_html, depart_handbook_block_html),
        latex=(visit_handbook_block_other, depart_handbook_block_other),
        text=(visit_handbook_block_other, depart_handbook_block_other),
        man=(visit_handbook_block_other, depart_handbook_block_other),
        texinfo=(visit_handbook_block_other, depart_handbook_block_other),
    )
    app.add_node(register_placeholder)
    app.add_directive("handbook-register", RegisterDirective)
    app.connect("doctree-read", read_page, priority=400)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("env-get-outdated", outdated)
    app.connect("env-check-consistency", report)
    app.connect("doctree-resolved", resolve_page)
    app.connect("build-finished", write_register)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
