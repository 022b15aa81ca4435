"""Sphinx glue for the decisions register: roles, the box, the rules, incremental builds.

* ``builder-inited``: read the register (``handbook_decisions_file``) once per build.
* Roles ``{decision}`` (the wording for the page's readers) and
  ``{decision-value}`` (the formatted value) print the decision's text when
  the page is read; the directive ``decision`` renders its box. Each records,
  per page, which decisions it used, at which line, and the fingerprint of
  each decision as it was printed.
* ``env-get-outdated``: a page is read again when a decision it printed
  changed in the register (its fingerprint differs), so the new value reaches
  every page and PDF, and the old one stays nowhere; pages listing decisions
  are read again on any change.
* ``env-check-consistency``: the rules, reported on every build (an
  incremental build is as strict as a fresh one) as ``[handbook.decision]``
  warnings at the register's line or the page's line.
* ``doctree-resolved``: the owner and waiting-pages cells of the
  ``decisions-awaiting`` list, and its link to the sign-off sheet.
* ``build-finished``: ``decisions.json`` beside ``register.json`` (HTML);
  ``decisions-signoff.pdf`` (``handbookpdf``, see ``handbook.decisions.signoff``).

The audience of a page is ``patient`` for pages under the folders of
``handbook_decisions_patient_folders`` (``patient-guides``), ``staff`` for
every other page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives, roles
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole
from sphinx.util.osutil import relative_uri

from handbook.content.clinic import clinic_settings
from handbook.decisions import render, rules
from handbook.decisions.register import (
    Decision,
    Register,
    RegisterError,
    format_value,
    parse_register,
    source_text,
    status_text,
    wording_for,
)
from handbook.doccontrol.model import document_control
from handbook.doccontrol.render import handbook_block

logger = logging.getLogger(__name__)

#: Environment attributes: the register of this build, and what pages used.
REGISTER_ATTR = "handbook_decisions"
STORE_ATTR = "handbook_decisions_uses"


# -- Environment data -------------------------------------------------------------


def _store(env: BuildEnvironment) -> dict[str, Any]:
    """``uses``: docname -> [(id, line, kind)]; ``seen``: docname -> {id: fingerprint or None};
    ``listings``: docnames holding a ``decisions-awaiting`` list."""
    if not hasattr(env, STORE_ATTR):
        setattr(env, STORE_ATTR, {"uses": {}, "seen": {}, "listings": set(), "state": None})
    return getattr(env, STORE_ATTR)


def register_of(env: BuildEnvironment) -> Register | None:
    """The register this build read, or ``None`` when it could not be read."""
    return getattr(env, REGISTER_ATTR, None)


def register_path(env: BuildEnvironment) -> Path:
    """The register's file: ``handbook_decisions_file`` under the source folder."""
    return Path(env.srcdir) / env.config.handbook_decisions_file


def audience_of(config: Any, docname: str) -> str:
    """``"patient"`` for pages under a patient folder, ``"staff"`` for all others."""
    for folder in config.handbook_decisions_patient_folders:
        if docname.startswith(folder.strip("/") + "/"):
            return "patient"
    return "staff"


def _language(config: Any) -> str:
    return config.language or "en"


def _record_use(env: BuildEnvironment, decision_id: str, line: int | None, kind: str) -> Decision | None:
    """Note that the page being read uses ``decision_id``; return the decision if known."""
    store = _store(env)
    register = register_of(env)
    decision = register.decisions.get(decision_id) if register else None
    store["uses"].setdefault(env.docname, []).append((decision_id, line or 0, kind))
    store["seen"].setdefault(env.docname, {})[decision_id] = decision.fingerprint() if decision else None
    return decision


# -- Nodes, roles and directives ----------------------------------------------------


class DecisionRole(SphinxRole):
    """``{decision}`LD-001``` (``kind="wording"``) or ``{decision-value}`LD-001``` (``kind="value"``)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        decision_id = self.text.strip()
        decision = _record_use(self.env, decision_id, self.lineno, self.kind)
        if decision is None:
            # Reported by the rules at this line; the id stands in for the value.
            node = nodes.inline(decision_id, decision_id, classes=["handbook-decision", "handbook-decision-unknown"])
        else:
            audience = audience_of(self.config, self.env.docname)
            language = _language(self.config)
            text = (wording_for(decision, audience, language) if self.kind == "wording"
                    else format_value(decision, audience, language))
            node = nodes.inline(text, text, classes=["handbook-decision", f"handbook-decision-{decision.status}"])
        self.set_source_info(node)
        return [node], []


def _citation(directive: SphinxDirective, key: str) -> list[nodes.Node]:
    """A ``cite:p`` citation of ``key`` when sphinxcontrib-bibtex is loaded, else the key."""
    if "cite" in directive.env.domains:
        role, _messages = roles.role("cite:p", directive.state_machine.language, directive.lineno,
                                     directive.state.reporter)
        if role is not None:
            made, messages = role("cite:p", f"{{cite:p}}`{key}`", key, directive.lineno,
                                  directive.state.inliner, {}, [])
            return [*made, *messages]
    return [nodes.literal(key, key)]


def _field(label: str, body: list[nodes.Node], name: str) -> nodes.definition_list_item:
    classes = [f"handbook-decision-{name}"]
    return nodes.definition_list_item(
        "", nodes.term(label, label, classes=classes),
        nodes.definition("", nodes.paragraph("", "", *body), classes=classes))


class DecisionDirective(SphinxDirective):
    """```{decision} LD-001```: the decision's box (question, value, source, status)."""

    required_arguments = 1
    has_content = False
    option_spec = {"class": directives.class_option}

    def run(self) -> list[nodes.Node]:
        decision_id = self.arguments[0].strip()
        decision = _record_use(self.env, decision_id, self.lineno, "box")
        if decision is None:
            para = nodes.paragraph("", f"Local decision {decision_id} (not in the decisions register)",
                                   classes=["handbook-decision-unknown"])
            self.set_source_info(para)
            return [para]
        clinic = clinic_settings(self.config.handbook_clinic)
        approver = clinic["medical_director_title"].lower()
        audience = audience_of(self.config, self.env.docname)
        language = _language(self.config)
        anchor = decision.id.lower()
        box = nodes.admonition("", classes=["admonition", "local-decision", "handbook-decision-box",
                                            f"handbook-decision-{decision.status}",
                                            *self.options.get("class", [])])
        self.set_source_info(box)
        title_text = f"Local decision {decision.id}"
        box += nodes.title(title_text, title_text)
        box += nodes.paragraph(decision.question, decision.question, classes=["handbook-decision-question"])
        fields = nodes.definition_list(classes=["handbook-decision-fields"])
        value = format_value(decision, audience, language)
        fields += _field("Value", [nodes.strong(value, value)], "value")
        if decision.has_source:
            source = _citation(self, decision.source)
        else:
            words = source_text(decision, language)
            source = [nodes.Text(words)]
        fields += _field("Source", source, "source")
        status = status_text(decision, approver)
        fields += _field("Status", [nodes.Text(status)], "status")
        box += fields
        wrapper = handbook_block(tag="aside", label=title_text, ids=[anchor],
                                 classes=["handbook-decision-aside"])
        self.set_source_info(wrapper)
        wrapper += box
        self.state.document.note_explicit_target(wrapper)
        return [wrapper]


class DecisionsAwaiting(SphinxDirective):
    """``decisions-awaiting``: every proposed decision with its proposed value, source,
    owner protocol and the pages waiting on it, as a table."""

    has_content = False
    option_spec = {"class": directives.class_option}

    def run(self) -> list[nodes.Node]:
        _store(self.env)["listings"].add(self.env.docname)
        classes = ["handbook-decisions-awaiting", *self.options.get("class", [])]
        register = register_of(self.env)
        if register is None:
            para = nodes.paragraph("", "The decisions register could not be read.", classes=classes)
            self.set_source_info(para)
            return [para]
        proposed = register.proposed()
        if not proposed:
            approver = clinic_settings(self.config.handbook_clinic)["medical_director_title"].lower()
            para = nodes.paragraph("", f"No decision is awaiting the {approver}: every decision "
                                   "in the register is confirmed.", classes=classes)
            self.set_source_info(para)
            return [para]
        language = _language(self.config)
        table = nodes.table(classes=classes)
        self.set_source_info(table)
        group = nodes.tgroup(cols=5)
        table += group
        for width in (30, 15, 15, 15, 25):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        row = nodes.row()
        for label in ("Decision", "Proposed value", "Source", "Owner", "Pages waiting on it"):
            row += nodes.entry("", nodes.paragraph(label, label))
        head += row
        body = nodes.tbody()
        group += body
        for decision in proposed:
            row = nodes.row(ids=[f"awaiting-{decision.id.lower()}"])
            row += nodes.entry("", nodes.paragraph("", "", nodes.strong(decision.id, decision.id),
                                                   nodes.Text(f" {decision.question}")))
            value = format_value(decision, "staff", language)
            row += nodes.entry("", nodes.paragraph(value, value))
            if decision.has_source:
                source = nodes.paragraph("", "", *_citation(self, decision.source))
            else:
                words = source_text(decision, language)
                source = nodes.paragraph(words, words)
            row += nodes.entry("", source)
            row += nodes.entry("", render.decision_pages(kind="owner", decision=decision.id, owner=decision.owner))
            row += nodes.entry("", render.decision_pages(kind="waiting", decision=decision.id))
            body += row
        return [render.decision_pages(kind="signoff", decision=""), table]


# -- Event handlers ---------------------------------------------------------------


def load_register(app: Sphinx) -> None:
    """Read the register once per build, before any page is read."""
    env = app.env
    path = register_path(env)
    setattr(env, REGISTER_ATTR, None)
    env.handbook_decisions_problems = []
    env.handbook_decisions_unreadable = None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        # Reported only when a page uses a decision: projects that have none
        # (most test projects) need no register.
        env.handbook_decisions_unreadable = f"cannot read the decisions register {path}: {error.strerror}"
        return
    try:
        register, problems = parse_register(text)
    except RegisterError as error:
        env.handbook_decisions_problems = [rules.Finding(error.message, rules.Where(None, error.line))]
        return
    env.handbook_decisions_problems = [
        rules.Finding(problem.message, rules.Where(None, problem.line)) for problem in problems]
    setattr(env, REGISTER_ATTR, register)


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    store = _store(env)
    store["uses"].pop(docname, None)
    store["seen"].pop(docname, None)
    store["listings"].discard(docname)


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    store, theirs = _store(env), _store(other)
    for docname in docnames:
        for key in ("uses", "seen"):
            if docname in theirs[key]:
                store[key][docname] = theirs[key][docname]
        if docname in theirs["listings"]:
            store["listings"].add(docname)


def _register_state(env: BuildEnvironment) -> dict[str, str] | None:
    register = register_of(env)
    if register is None:
        return None
    return {decision.id: decision.fingerprint() for decision in register.decisions.values()}


def outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
             removed: set[str]) -> list[str]:
    """Pages to read again although their source did not change.

    A page is read again when a decision it printed changed (value, wording,
    status, source, ...), appeared or went away. Pages listing decisions are
    read again when the register or any page changed. While any rule is
    broken, a page is read again (the page at fault, else a listing page or
    the root page) so that Sphinx checks consistency and the build reports
    the problem again, as doc-control does: an incremental build is as strict
    as a fresh one.
    """
    store = _store(env)
    current = _register_state(env) or {}
    again: set[str] = set()
    for docname, seen in store["seen"].items():
        if any(current.get(decision_id) != fingerprint for decision_id, fingerprint in seen.items()):
            again.add(docname)
    state = _register_state(env)
    register_changed = store.get("state") != state
    store["state"] = state
    if added or changed or removed or register_changed or again:
        again.update(store["listings"])
    broken = findings(env)
    if broken:
        again.update(f.where.docname for f in broken if f.where.docname is not None)
        if any(f.where.docname is None for f in broken):
            again.update(store["listings"] or {env.config.root_doc})
    return sorted((again & set(env.found_docs)) - set(added) - set(changed) - set(removed))


def findings(env: BuildEnvironment) -> list[rules.Finding]:
    """Every broken rule: the register's problems and the pages' (see :mod:`handbook.decisions.rules`)."""
    store = _store(env)
    register = register_of(env)
    found: list[rules.Finding] = list(getattr(env, "handbook_decisions_problems", []))
    if register is None:
        unreadable = getattr(env, "handbook_decisions_unreadable", None)
        if unreadable and store["uses"]:
            found.append(rules.Finding(unreadable, rules.Where(None, 0)))
    else:
        pages = {docname: document_control(env, docname) for docname in store["uses"]}
        found += rules.check_uses(register, store["uses"], pages, env.config.handbook_decisions_file)
    return found


def report(app: Sphinx, env: BuildEnvironment) -> None:
    """Report every rule's findings, on every build (``[handbook.decision]``)."""
    path = register_path(env)
    for finding in sorted(findings(env), key=lambda f: (f.where.docname or "", f.where.line, f.message)):
        if finding.where.docname is None:
            location = f"{path}:{finding.where.line}" if finding.where.line else str(path)
        else:
            location = (finding.where.docname, finding.where.line)
        logger.warning(finding.message, type="handbook", subtype="decision", location=location)


def users(env: BuildEnvironment) -> dict[str, list[str]]:
    """For each decision id, the docnames that use it (sorted)."""
    result: dict[str, set[str]] = {}
    for docname, uses in _store(env)["uses"].items():
        for decision_id, _line, _kind in uses:
            result.setdefault(decision_id, set()).add(docname)
    return {key: sorted(value) for key, value in result.items()}


def resolve(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    """Fill in the owner and waiting-pages cells of the ``decisions-awaiting`` lists, and the
    link to the sign-off sheet (HTML pages only: ``make`` copies the PDF beside them)."""
    from handbook.decisions.signoff import SIGNOFF_PDF

    builder = app.builder
    signoff_uri = None
    if builder.format == "html" and builder.name not in ("handbookpdf", "singlehtml"):
        path = f"{app.config.handbook_pdf_html_dir.strip('/')}/{SIGNOFF_PDF}"
        signoff_uri = relative_uri(builder.get_target_uri(fromdocname), path)
    render.resolve_pages(app, doctree, fromdocname, lambda decision_id: users(app.env).get(decision_id, []),
                         signoff_uri)


def write_json(app: Sphinx, exception: Exception | None) -> None:
    """``decisions.json`` beside ``register.json`` in the HTML output."""
    if exception is not None or app.builder.format != "html":
        return
    register = register_of(app.env)
    if register is None:
        return
    text = render.decisions_json(app, register, users(app.env))
    Path(app.outdir, "decisions.json").write_text(text, encoding="utf-8")


def write_signoff(app: Sphinx, exception: Exception | None) -> None:
    """``decisions-signoff.pdf`` in the ``handbookpdf`` output, through the print templates.

    Rendered again only when its HTML changed (a digest is kept in
    ``_pages/decisions-signoff.key``), so an unchanged register costs nothing.
    """
    if exception is not None or app.builder.name != "handbookpdf":
        return
    from handbook.decisions import signoff
    from handbook.doccontrol.builddate import build_date
    from handbook.pdf import render as pdf

    register = register_of(app.env)
    target = Path(app.outdir) / signoff.SIGNOFF_PDF
    if register is None or not register.decisions:
        target.unlink(missing_ok=True)
        return
    env, config = app.env, app.config
    clinic = clinic_settings(config.handbook_clinic)
    bibfiles = [Path(env.srcdir) / name for name in getattr(config, "bibtex_bibfiles", None) or []]
    used = users(env)
    labels = {docname: render.page_label(app, docname) for names in used.values() for docname in names}
    owners = {decision.owner: render.page_label(app, docname)
              for decision in register.decisions.values()
              if (docname := render.owner_docname(app, decision.owner)) is not None}
    approver = clinic["medical_director_title"].lower()
    rows = signoff.sheet_rows(register, signoff.bibliography(bibfiles), used, labels, owners,
                              approver, _language(config))
    today = build_date(config.handbook_build_date)
    epoch = pdf.source_date_epoch(today)
    html = pdf.render_template_html(
        signoff.TEMPLATE, clinic=clinic, paper=config.handbook_pdf_paper, language=_language(config),
        epoch=epoch, title=f"Local decisions: sign-off by the {approver}", decisions=rows,
        awaiting=len(register.proposed()), approver=approver, edition=config.handbook_edition,
        build_date=today.isoformat(), register_file=config.handbook_decisions_file,
    )
    key_file = Path(app.outdir) / "_pages" / "decisions-signoff.key"
    key = signoff.render_key(html)
    if target.is_file() and key_file.is_file() and key_file.read_text(encoding="utf-8").strip() == key:
        return
    debug = Path(app.outdir) / "_pages" / "decisions-signoff.print.html"
    debug.parent.mkdir(parents=True, exist_ok=True)
    debug.write_text(html, encoding="utf-8")
    identifier = pdf.pdf_identifier("signoff", config.project, config.handbook_edition)
    pages, problems = pdf.write_pdf(html, target, base_url=Path(app.outdir).as_uri() + "/",
                                    identifier=identifier, epoch=epoch)
    for problem in problems:
        logger.warning("%s: %s", signoff.SIGNOFF_PDF, problem, type="handbook", subtype="pdf")
    if problems:
        key_file.unlink(missing_ok=True)
        return
    key_file.write_text(key + "\n", encoding="utf-8")
    logger.info("rendered %s (%d pages)", signoff.SIGNOFF_PDF, pages)


def setup(app: Sphinx) -> None:
    app.add_config_value("handbook_decisions_file", "reference/decisions.yaml", "env", str)
    app.add_config_value("handbook_decisions_patient_folders", ["patient-guides"], "env", list)
    app.add_node(render.decision_pages)
    app.add_role("decision", DecisionRole("wording"))
    app.add_role("decision-value", DecisionRole("value"))
    app.add_directive("decision", DecisionDirective)
    app.add_directive("decisions-awaiting", DecisionsAwaiting)
    app.connect("builder-inited", load_register)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-get-outdated", outdated)
    app.connect("env-check-consistency", report)
    app.connect("doctree-resolved", resolve)
    app.connect("build-finished", write_json)
    app.connect("build-finished", write_signoff)
