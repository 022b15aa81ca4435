"""Fixed-wording boxes the handbook uses on many pages.

``local-decision``
    A value or rule no published source settles: the clinic sets it, and the
    medical director confirms it. Staff must be able to spot these at a glance.
``call-emergency`` / ``call-clinic``
    The "Call 911 if" and "Call us if" boxes of the patient guides. Their
    titles and phone numbers come from the clinic settings, never from the page.
"""

from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from handbook.content.clinic import clinic_settings


def local_decision_title(clinic: dict) -> str:
    return f"Local decision \N{EM DASH} confirm with the {clinic['medical_director_title'].lower()}"


def call_emergency_title(clinic: dict) -> str:
    return f"Call {clinic['emergency_number']} if"


def call_clinic_title(clinic: dict) -> str:
    return f"Call us at {clinic['phone']} if"


def call_clinic_footer(clinic: dict) -> str:
    return (
        f"{clinic['name']}: {clinic['phone']}. "
        f"After hours: {clinic['after_hours_phone']}."
    )


class _FixedTitleBox(SphinxDirective):
    """An admonition whose title is computed from the clinic settings."""

    has_content = True
    option_spec = {"class": directives.class_option, "name": directives.unchanged}
    css_class = ""

    def title(self, clinic: dict) -> str:
        raise NotImplementedError

    def footer(self, clinic: dict) -> str | None:
        return None

    def run(self) -> list[nodes.Node]:
        clinic = clinic_settings(self.config.handbook_clinic)
        node = nodes.admonition("", classes=["admonition", self.css_class, *self.options.get("class", [])])
        self.set_source_info(node)
        title_text = self.title(clinic)
        title = nodes.title(title_text, title_text)
        self.set_source_info(title)
        node += title
        node.extend(self.parse_content_to_nodes())
        footer = self.footer(clinic)
        if footer:
            node += nodes.paragraph(footer, footer, classes=["box-footer"])
        self.add_name(node)
        return [node]


class LocalDecision(_FixedTitleBox):
    css_class = "local-decision"

    def title(self, clinic: dict) -> str:
        return local_decision_title(clinic)


class CallEmergency(_FixedTitleBox):
    css_class = "call-emergency"

    def title(self, clinic: dict) -> str:
        return call_emergency_title(clinic)


class CallClinic(_FixedTitleBox):
    css_class = "call-clinic"

    def title(self, clinic: dict) -> str:
        return call_clinic_title(clinic)

    def footer(self, clinic: dict) -> str:
        return call_clinic_footer(clinic)


def setup(app: Sphinx) -> None:
    app.add_directive("local-decision", LocalDecision)
    app.add_directive("call-emergency", CallEmergency)
    app.add_directive("call-clinic", CallClinic)
