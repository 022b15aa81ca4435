"""Published editions in the HTML: version switcher, archived banner, "What changed".

``make publish`` builds with ``HANDBOOK_EDITION`` set to the edition's name.
When it is a published name (``YYYY.N``) every page gets pydata-sphinx-theme's
version switcher above the article (sphinx-book-theme empties the navbar) and
``handbook-editions.js`` (in ``static/`` beside this module), which reads the archive's ``switcher.json`` and marks
the pages of an edition that is no longer the newest. A working copy belongs
to no archive, so it gets neither: there is nothing to switch to.

The ``edition-changes`` directive renders the "What changed in this edition"
page from the JSON file publishing writes (``handbook_changes_file``).
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.docutils import SphinxDirective

from handbook.editions.archive import is_edition_name
from handbook.editions.changes import diff_table_html


def switcher_theme_options(options: dict, edition: str, json_url: str) -> dict:
    """``html_theme_options`` with the version switcher added for ``edition``."""
    start = list(options.get("article_header_start") or ["toggle-primary-sidebar"])
    if not any(item.removesuffix(".html") == "version-switcher" for item in start):
        start.append("version-switcher")
    return {
        **options,
        "article_header_start": start,
        # A path relative to the edition: the archive's switcher.json, one level up.
        "switcher": {"json_url": json_url, "version_match": edition},
        # The theme would read json_url at build time; the archive is not there yet.
        "check_switcher": False,
        # The handbook's own banner replaces the theme's "old version" bar.
        "show_version_warning_banner": False,
    }


#: The module's own CSS and script, so every project using the extension has them.
STATIC_DIR = Path(__file__).parent / "static"


#: Themes with pydata-sphinx-theme's version switcher (other themes reject its options).
SWITCHER_THEMES = ("sphinx_book_theme", "pydata_sphinx_theme")


def _configure_switcher(app: Sphinx, config: Config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC_DIR)]
    if is_edition_name(config.handbook_edition) and config.html_theme in SWITCHER_THEMES:
        config.html_theme_options = switcher_theme_options(
            config.html_theme_options, config.handbook_edition, config.handbook_switcher_json_url
        )
        app.add_js_file("handbook-editions.js", loading_method="defer")


# -- "What changed in this edition" -------------------------------------------


def _table(headers: list[str], rows: list[list[nodes.Node | str]], classes: list[str]) -> nodes.table:
    table = nodes.table(classes=classes)
    group = nodes.tgroup(cols=len(headers))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in headers)
    head = nodes.thead()
    group += head
    head += nodes.row("", *(nodes.entry("", nodes.paragraph(text=h)) for h in headers))
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            entry += cell if isinstance(cell, nodes.Node) else nodes.paragraph(text=cell)
            row += entry
        body += row
    return table


def _doc_link(docname: str, text: str) -> nodes.paragraph:
    ref = addnodes.pending_xref(
        "", nodes.inline(text=text), refdomain="std", reftype="doc", reftarget="/" + docname,
        refexplicit=True, refwarn=True,
    )
    return nodes.paragraph("", "", ref)


class EditionChanges(SphinxDirective):
    """Render the list of changed documents, with the history and a diff of each."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        path = self.config.handbook_changes_file
        if not path:
            text = (
                "This build is a working copy, not a published edition. When an edition is "
                "published, this page lists every document whose version changed since the "
                "previous edition, with a line-by-line comparison of each."
            )
            return [nodes.paragraph(text=text)]
        self.env.note_dependency(path)
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        edition, previous = data["edition"], data["previous"]
        documents = data["documents"]
        if previous is None:
            intro = f"Edition {edition} is the first published edition of the handbook. It holds these documents."
        elif documents:
            intro = f"Compared with edition {previous}, {len(documents)} document(s) changed in edition {edition}."
        else:
            intro = f"No document's version changed since edition {previous}."
        output: list[nodes.Node] = [nodes.paragraph(text=intro)]
        if not documents:
            return output

        rows = []
        for doc in documents:
            link = _doc_link(doc["docname"], doc["title"]) if doc["kind"] != "removed" else nodes.paragraph(text=doc["title"])
            rows.append([
                doc["id"], link, doc["old_version"] or "(new)", doc["new_version"] or "(withdrawn)",
                "; ".join(entry["summary"] for entry in doc["history"]) or "",
            ])
        output.append(_table(
            ["Id", "Document", f"Version in {previous}" if previous else "Previous version", f"Version in {edition}", "What changed"],
            rows, ["handbook-changes"],
        ))
        if previous is None:
            return output

        for doc in documents:
            section = nodes.section(ids=[nodes.make_id(f"changes-{doc['id']}")])
            heading = f"{doc['id']} {doc['title']}"
            section += nodes.title(heading, heading)
            if doc["kind"] == "removed":
                section += nodes.paragraph(text=f"Withdrawn in edition {edition}; it was version {doc['old_version']}.")
            else:
                if doc["kind"] == "new":
                    section += nodes.paragraph(text=f"New in edition {edition}, version {doc['new_version']}.")
                else:
                    section += nodes.paragraph(text=f"Version {doc['old_version']} in edition {previous}, version {doc['new_version']} in edition {edition}.")
                section += _doc_link(doc["docname"], f"Open {doc['id']} in this edition")
            if doc["history"]:
                items = nodes.bullet_list()
                for entry in doc["history"]:
                    items += nodes.list_item("", nodes.paragraph(text=f"Version {entry['version']} ({entry['date']}): {entry['summary']}"))
                section += items
            caption = f"{doc['path']}: the source in edition {previous} compared with edition {edition}"
            diff = diff_table_html(doc["old_source"], doc["new_source"], caption, previous, edition)
            section += nodes.raw("", diff, format="html")
            output.append(section)
        return output


def setup(app: Sphinx) -> None:
    app.add_config_value("handbook_changes_file", "", "env", str)
    app.add_config_value("handbook_switcher_json_url", "../switcher.json", "html", str)
    app.connect("config-inited", _configure_switcher)
    app.add_css_file("handbook-editions.css")
    app.add_directive("edition-changes", EditionChanges)
