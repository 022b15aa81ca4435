"""Accessible HTML for markup that docutils and MyST emit inaccessibly.

Found by the browser tests (``tests/html/test_browser.py``, axe-core's WCAG 2.0/2.1
A and AA rules); the theme's own problems are fixed in ``conf.py``,
``_templates/`` and ``_static/handbook.css`` instead.

Tick-box checklists
    MyST renders ``- [ ] item`` as a bare ``<input type="checkbox">`` in front
    of the item's text, so a screen reader announces an unnamed checkbox (axe
    rule ``label``; WCAG 1.3.1, 4.1.2). The checkbox and the item's text are
    wrapped in one ``<label>``, so the text names the box.
Citations (the bibliography)
    docutils 0.22 gives each entry ``role="doc-biblioentry"``, a role DPUB-ARIA
    1.1 deprecates, inside a ``role="list"`` that then has no list items (axe
    rules ``aria-deprecated-role``, ``aria-required-children``; WCAG 1.3.1,
    4.1.2). Each entry is a ``listitem`` instead.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

CHECKBOX_CLASS = "task-list-item-checkbox"
LABEL_CLASS = "handbook-task-label"


def is_task_checkbox(node: nodes.Node) -> bool:
    """True for the raw ``<input>`` MyST puts at the start of a checklist item."""
    return (
        isinstance(node, nodes.raw)
        and "html" in node.get("format", "").split()
        and node.astext().lstrip().startswith("<input")
        and CHECKBOX_CLASS in node.astext()
    )


def label_task_checkbox(checkbox: nodes.raw) -> bool:
    """Wrap ``checkbox`` and the rest of its paragraph in a ``<label>``.

    Returns False (and changes nothing) unless the checkbox opens a paragraph.
    """
    paragraph = checkbox.parent
    if not isinstance(paragraph, nodes.paragraph) or paragraph.index(checkbox) != 0:
        return False
    html = f'<label class="{LABEL_CLASS}">{checkbox.astext()}'
    paragraph.replace(checkbox, nodes.raw("", html, format="html"))
    paragraph += nodes.raw("", "</label>", format="html")
    return True


class LabelTaskCheckboxes(SphinxPostTransform):
    """Give every checklist checkbox its item's text as its label (HTML only)."""

    default_priority = 800
    formats = ("html",)

    def run(self, **kwargs) -> None:
        for checkbox in list(self.document.findall(is_task_checkbox)):
            label_task_checkbox(checkbox)


def visit_citation(self, node: nodes.citation) -> None:
    # As docutils' HTML writer, with "listitem" for the deprecated "doc-biblioentry".
    if not isinstance(node.previous_sibling(), nodes.citation):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self, node: nodes.citation) -> None:
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), nodes.citation):
        self.body.append("</div>\n")


def setup(app: Sphinx) -> None:
    app.add_post_transform(LabelTaskCheckboxes)
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
