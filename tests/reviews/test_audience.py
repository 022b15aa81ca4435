"""The ``audience`` front-matter key (issue 21): who is expected to read a document.

The build's warning for an unknown role, at its line, is tested with the
other broken front matter (``tests/roots/test-frontmatter-audience``, in
``tests/doccontrol/test_doccontrol.py``); here, the pure rules.
"""

from __future__ import annotations

from handbook.doccontrol.frontmatter import parse_front_matter
from handbook.doccontrol.model import DEFAULT_STAFF_ROLES
from handbook.doccontrol.rules import check_page, validate

PAGE = """---
id: PR-005
version: "1.0"
status: active
effective: 2026-12-01
review-by: 2029-12-01
owner: Nurse Manager
approver: Medical Director
covers: [SG-04]
AUDIENCE
history:
  - {version: "1.0", date: 2026-12-01, summary: "First approved version"}
---

# Infusion monitoring
"""


def _problems(audience: str, **kwargs) -> list[tuple[int, str, str]]:
    text = PAGE.replace("AUDIENCE", audience)
    return [(p.line, p.subtype, p.message) for p in validate(parse_front_matter(text), "protocols/x", id_prefix="PR", **kwargs)]


def test_audience_is_optional_and_defaults_to_every_role():
    record = check_page(PAGE.replace("AUDIENCE\n", ""), "protocols/x", "X", id_prefix="PR")
    assert record.problems == () and record.doc.audience == ()
    assert record.doc.readers() == DEFAULT_STAFF_ROLES == ("nursing", "prescribers", "front desk")
    given = check_page(PAGE.replace("AUDIENCE", "audience: [front desk, nursing]"), "protocols/x", "X", id_prefix="PR")
    assert given.problems == () and given.doc.audience == ("front desk", "nursing")
    assert given.doc.readers() == ("front desk", "nursing")


def test_audience_problems_name_the_line():
    assert _problems("audience: nursing") == [(10, "audience", "audience must be a list of staff roles such as "
                                               "[nursing, prescribers, front desk] (leave it out when every role reads "
                                               "the document), not 'nursing'")]
    assert _problems("audience: []")[0][2].endswith("not []")
    assert _problems("audience:\n  - nursing\n  - Prescribers\n  - 7") == [
        (12, "audience", "audience item 'Prescribers' is not a staff role: use nursing, prescribers, front desk "
                         "(handbook_staff_roles) (did you mean 'prescribers'?)"),
        (13, "audience", "audience item 7 is not a staff role: use nursing, prescribers, front desk (handbook_staff_roles)"),
    ]
    assert _problems("audience: [nursing, nursing]") == [(10, "audience", "audience lists nursing more than once")]


def test_staff_roles_are_a_setting():
    assert _problems("audience: [pharmacy]", staff_roles=("nursing", "pharmacy")) == []
    assert _problems("audience: [front desk]", staff_roles=("nursing", "pharmacy"))[0][2].startswith(
        "audience item 'front desk' is not a staff role: use nursing, pharmacy (handbook_staff_roles)")
