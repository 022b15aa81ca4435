"""The rules pages must follow when they use local decisions (pure, no Sphinx).

The rules, each a ``[handbook.decision]`` warning that fails the strict build
(issue 15, "Local decisions are data"):

1. an unknown id (page line) — :func:`check_uses`;
2. a decision no page uses (register line) — :func:`check_uses`;
3. a ``confirmed`` decision without who and when (register line) —
   :func:`handbook.decisions.register.parse_register`;
4. a value that does not fit its type (register line) — ``parse_register``;
5. an ``active`` page that uses a ``proposed`` decision (page line) —
   :func:`check_uses`. The handbook's governance rule: a page with
   unconfirmed local decisions is not approved, so it is a draft. A draft
   page may use proposed decisions freely.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from handbook.decisions.register import Register
from handbook.doccontrol.model import DocumentControl

#: One use of a decision on a page: (decision id, 1-based line, kind), kind
#: being ``"wording"`` ({decision}), ``"value"`` ({decision-value}) or ``"box"``.
Use = tuple[str, int, str]


@dataclasses.dataclass(frozen=True)
class Where:
    """A page (``docname``) and line, or the register (``docname`` is ``None``)."""

    docname: str | None
    line: int


@dataclasses.dataclass(frozen=True)
class Finding:
    """One broken rule: the warning's message and where it points."""

    message: str
    where: Where


def unknown_id_message(decision_id: str, register_file: str) -> str:
    return f"unknown decision {decision_id}: {register_file} has no such id"


def unused_message(decision_id: str) -> str:
    return (f"decision {decision_id} is used by no page: print it with {{decision}}`{decision_id}` "
            "where it applies, or remove it from the register")


def proposed_on_active_message(page_id: str, decision_id: str) -> str:
    return (f"{page_id} is active but uses proposed decision {decision_id}: "
            "confirm it or set the page back to draft")


def check_uses(register: Register, uses: Mapping[str, Iterable[Use]],
               pages: Mapping[str, DocumentControl | None],
               register_file: str = "the decisions register") -> list[Finding]:
    """Rules 1, 2 and 5 over every page's uses.

    ``uses`` maps each docname to its uses; ``pages`` maps docnames to their
    document control (``None`` for pages that are not controlled documents:
    they have no status and rule 5 does not apply to them). ``register_file``
    names the register in messages (``reference/decisions.yaml``).
    """
    findings: list[Finding] = []
    used: set[str] = set()
    for docname in sorted(uses):
        doc = pages.get(docname)
        reported: set[str] = set()
        for decision_id, line, _kind in sorted(uses[docname], key=lambda use: (use[1], use[0])):
            decision = register.decisions.get(decision_id)
            if decision is None:
                findings.append(Finding(unknown_id_message(decision_id, register_file), Where(docname, line)))
                continue
            used.add(decision_id)
            if (doc is not None and doc.status == "active" and decision.status == "proposed"
                    and decision_id not in reported):
                reported.add(decision_id)
                findings.append(Finding(proposed_on_active_message(doc.id, decision_id), Where(docname, line)))
    for decision in register.decisions.values():
        if decision.id not in used:
            findings.append(Finding(unused_message(decision.id), Where(None, decision.line)))
    return findings
