"""Tick boxes survive translation.

MyST writes ``- [ ] item`` as a raw ``<input type="checkbox">`` at the start of
the item's paragraph. Sphinx's gettext ``Locale`` transform (priority 20)
replaces a translated paragraph's content with the parsed translation, which
has no such input: every translated checklist item would lose its box, and a
Spanish checklist would have nothing to tick on paper. The box is noted on its
list item before ``Locale`` runs and put back after it.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

from handbook.html.a11y import is_task_checkbox

#: The list item's attribute that holds its checkbox's HTML between the two transforms.
ATTRIBUTE = "handbook_task_checkbox"


class NoteTaskCheckboxes(SphinxTransform):
    """Before translation: remember each checklist item's box on the item."""

    default_priority = 19  # sphinx.transforms.i18n.Locale is 20

    def apply(self, **kwargs) -> None:
        for checkbox in list(self.document.findall(is_task_checkbox)):
            paragraph = checkbox.parent
            item = paragraph.parent if isinstance(paragraph, nodes.paragraph) else None
            if isinstance(item, nodes.list_item) and paragraph.index(checkbox) == 0:
                item[ATTRIBUTE] = checkbox.astext()


class RestoreTaskCheckboxes(SphinxTransform):
    """After translation: put back each box the translated paragraph lost."""

    default_priority = 21

    def apply(self, **kwargs) -> None:
        for item in list(self.document.findall(nodes.list_item)):
            html = item.attributes.pop(ATTRIBUTE, None)
            if html is None or not item.children or not isinstance(item[0], nodes.paragraph):
                continue
            paragraph = item[0]
            if not (paragraph.children and is_task_checkbox(paragraph[0])):
                paragraph.insert(0, nodes.raw("", html, format="html"))


def setup(app: Sphinx) -> None:
    app.add_transform(NoteTaskCheckboxes)
    app.add_transform(RestoreTaskCheckboxes)
