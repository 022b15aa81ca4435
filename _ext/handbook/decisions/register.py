"""The decisions register: read, check and format local decisions (pure, no Sphinx).

A *local decision* is a value no published source settles on its own (how long
a patient fasts, how long they are observed): the clinic proposes a default and
its medical director confirms it. The register (``reference/decisions.yaml``,
setting ``handbook_decisions_file``) is a YAML mapping with one key,
``decisions``, a list of entries::

    - id: LD-001                 # LD-nnn, unique
      question: How long before an infusion must the patient stop eating solid food?
      type: duration             # number | range | duration | choice | text
      value: 6                   # number/duration: a number; range: [low, high];
                                 # choice: one of options; text: a string
      unit: h                    # number, range, duration only
      options: [...]             # choice only
      source: asa_fasting_2017   # a references.bib key, or exactly: no published source
      owner: PR-005              # the protocol that owns it
      status: proposed           # proposed | confirmed
      confirmed-by: Medical Director   # confirmed only
      confirmed-on: 2026-12-01         # confirmed only
      wording:                   # optional; {value} is the formatted value
        staff: "nil by mouth for solids for {value} before the infusion"
        patient: "Do not eat any food for {value} before your treatment"
        es:                      # optional, one block per further language
          patient: "No coma nada durante {value} antes del tratamiento"

:func:`parse_register` reads the text, keeping the line of every entry and key
so that problems are reported at ``file:line``; :func:`format_value` and
:func:`wording_for` give what a page prints, per audience (``staff`` or
``patient``) and language. Unit words live in one table, :data:`UNIT_WORDS`,
so that a translation adds a language there and nowhere else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from typing import Any

import yaml

from handbook.doccontrol.frontmatter import _compose, _Loader

#: A decision's id: ``LD-`` and three or more digits.
DECISION_ID = re.compile(r"LD-\d{3,}")
#: A protocol's id, as document control writes it.
PROTOCOL_ID = re.compile(r"PR-\d{3,}")
#: A BibTeX key (the characters BibTeX and sphinxcontrib-bibtex accept).
BIB_KEY = re.compile(r"[A-Za-z0-9_:.+/-]+")

TYPES = ("number", "range", "duration", "choice", "text")
STATUSES = ("proposed", "confirmed")
AUDIENCES = ("staff", "patient")
#: The exact words that say no published source supports the proposed value.
NO_SOURCE = "no published source"
#: Units a duration may have.
DURATION_UNITS = ("min", "h", "d", "weeks", "months")
#: Every key an entry may have.
KEYS = ("id", "question", "type", "value", "unit", "options", "source", "owner", "status",
        "confirmed-by", "confirmed-on", "wording")

#: How values are written, per language: the unit words for each audience and
#: the range dash. ``staff`` is the abbreviation staff read; ``patient`` is
#: (singular, plural), spelled out for patients. A unit not listed is printed
#: as written in the register for both audiences (``mmHg``, ``mg/kg``).
#: Translating the handbook adds a language here (and ``wording`` blocks in
#: the register); nothing else changes.
UNIT_WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "units": {
            "min": {"staff": "min", "patient": ("minute", "minutes")},
            "h": {"staff": "h", "patient": ("hour", "hours")},
            "d": {"staff": "d", "patient": ("day", "days")},
            "weeks": {"staff": "weeks", "patient": ("week", "weeks")},
            "months": {"staff": "months", "patient": ("month", "months")},
            "%": {"staff": "%", "patient": ("%", "%")},
        },
        "range_dash": "\N{EN DASH}",
        "no_published_source": "No published source",
    },
}


@dataclasses.dataclass(frozen=True)
class Decision:
    """One register entry, as typed in the YAML.

    ``line`` is the 1-based line of the entry (its ``- id:``); ``key_lines``
    the line of each key. ``value`` is ``int``/``float`` for number and
    duration, a ``(low, high)`` tuple for range, ``str`` for choice and text.
    ``value_ok`` is false when the value does not fit the type: pages then
    print the value as written and the build warns.
    """

    id: str
    question: str
    type: str
    value: Any
    unit: str | None
    options: tuple[str, ...]
    source: str
    owner: str
    status: str
    confirmed_by: str | None
    confirmed_on: dt.date | None
    #: ``{"staff": ..., "patient": ..., "es": {"patient": ...}}``, as in the YAML.
    wording: dict[str, Any]
    line: int
    key_lines: dict[str, int]
    value_ok: bool = True

    @property
    def has_source(self) -> bool:
        """Whether ``source`` is a references.bib key (not "no published source")."""
        return self.source != NO_SOURCE

    def line_of(self, key: str) -> int:
        """The line of ``key`` in the register, or of the entry when the key is absent."""
        return self.key_lines.get(key, self.line)

    def fingerprint(self) -> str:
        """A digest of everything a page can show of this decision (not its line).

        Pages remember the fingerprint of each decision they used; a page is
        read again when one of them changed.
        """
        data = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)
                if field.name not in ("line", "key_lines")}
        text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclasses.dataclass(frozen=True)
class RegisterProblem:
    """A problem of the register at a 1-based ``line``.

    ``rule`` is ``"value"`` (a value that does not fit its type),
    ``"confirmation"`` (confirmed without who or when) or ``"entry"`` (any
    other malformed entry).
    """

    message: str
    line: int
    rule: str = "entry"


@dataclasses.dataclass(frozen=True)
class Register:
    """The usable decisions, in file order, keyed by id."""

    decisions: dict[str, Decision]

    def proposed(self) -> list[Decision]:
        """The decisions still awaiting the medical director, in file order."""
        return [decision for decision in self.decisions.values() if decision.status == "proposed"]


class RegisterError(ValueError):
    """A register that cannot be read at all; ``line`` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


# -- Reading ----------------------------------------------------------------------


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _show(value: Any) -> str:
    """A value as a message quotes it."""
    if isinstance(value, str):
        return f"'{value}'"
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) if isinstance(item, str) else str(item) for item in value) + "]"
    return str(value)


def _check_value(decision_id: str, kind: str, value: Any, unit: Any, options: tuple[str, ...] | None,
                 lines: dict[str, int], line: int) -> tuple[Any, list[RegisterProblem]]:
    """Check ``value`` (and ``unit``/``options``) against ``kind``; return the typed value."""
    at = lines.get("value", line)

    def bad(message: str, where: int = at) -> tuple[Any, list[RegisterProblem]]:
        return value, [RegisterProblem(f"decision {decision_id} {message}", where, "value")]

    if "value" not in lines:
        return bad(f"has no value (a {kind} needs one)")
    if kind in ("number", "duration"):
        if not _is_number(value):
            return bad(f"is a {kind} but its value {_show(value)} is not a number")
        if kind == "duration" and value < 0:
            return bad(f"is a duration but its value {value} is negative")
    elif kind == "range":
        if not (isinstance(value, list) and len(value) == 2 and all(_is_number(item) for item in value)):
            return bad(f"is a range but its value {_show(value)} is not [low, high] with two numbers")
        if value[0] > value[1]:
            return bad(f"is a range but its low end {value[0]} is above its high end {value[1]}")
        value = (value[0], value[1])
    elif kind == "choice":
        if options is None:
            return bad("is a choice but has no options (a list of the allowed answers)",
                       lines.get("options", line))
        if not isinstance(value, str) or value not in options:
            return bad(f"is a choice but its value {_show(value)} is not one of its options "
                       f"({', '.join(options)})")
    elif kind == "text":
        if not isinstance(value, str) or not value.strip():
            return bad(f"is text but its value {_show(value)} is not text")
        value = value.strip()
    if kind == "duration":
        if unit not in DURATION_UNITS:
            return bad(f"is a duration but its unit {_show(unit)} is not one of "
                       f"{', '.join(DURATION_UNITS)}", lines.get("unit", line))
    elif kind in ("number", "range"):
        if unit is not None and (not isinstance(unit, str) or not unit.strip()):
            return bad(f"has unit {_show(unit)}: a unit is text such as mmHg or %", lines.get("unit", line))
    elif unit is not None:
        return bad(f"is a {kind} and cannot have a unit", lines.get("unit", line))
    if kind != "choice" and options is not None:
        return bad(f"is a {kind} and cannot have options (only a choice has them)", lines.get("options", line))
    return value, []


def _check_wording(decision_id: str, wording: Any, line: int) -> list[RegisterProblem]:
    if not isinstance(wording, dict):
        return [RegisterProblem(f"decision {decision_id}: wording must be a mapping of staff and patient "
                                "wordings (and language blocks such as es:)", line)]
    problems = []
    for key, text in wording.items():
        if key in AUDIENCES:
            if not isinstance(text, str) or not text.strip():
                problems.append(RegisterProblem(f"decision {decision_id}: wording {key} must be text", line))
        elif isinstance(key, str) and re.fullmatch(r"[a-z]{2}(_[A-Z]{2})?", key) and isinstance(text, dict):
            for audience, translated in text.items():
                # ``value``: a text or choice decision's value in that language.
                if audience not in (*AUDIENCES, "value") or not isinstance(translated, str) \
                        or not translated.strip():
                    problems.append(RegisterProblem(
                        f"decision {decision_id}: wording {key} may only have staff, patient and value texts",
                        line))
                    break
        else:
            problems.append(RegisterProblem(
                f"decision {decision_id}: wording key {_show(key)} is not staff, patient or a language "
                "block (such as es:)", line))
    return problems


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _entry(item: yaml.MappingNode, constructor: yaml.SafeLoader,
           seen: dict[str, Decision]) -> tuple[Decision | None, list[RegisterProblem]]:
    line = _line(item)
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    problems: list[RegisterProblem] = []
    for key_node, value_node in item.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key in data:
            problems.append(RegisterProblem(f"key '{key}' appears twice in one decision", _line(key_node)))
            continue
        data[key] = constructor.construct_object(value_node, deep=True)
        lines[key] = _line(key_node)
    decision_id = data.get("id")
    if not isinstance(decision_id, str) or not DECISION_ID.fullmatch(decision_id):
        problems.append(RegisterProblem(f"decision id must look like LD-001, not {_show(decision_id)}",
                                        lines.get("id", line)))
        return None, problems
    if decision_id in seen:
        return None, [RegisterProblem(
            f"decision {decision_id} appears twice (first at line {seen[decision_id].line})", line)]
    name = f"decision {decision_id}"
    for key in data:
        if key not in KEYS:
            problems.append(RegisterProblem(f"{name}: unknown key {_show(key)} (allowed: {', '.join(KEYS)})",
                                            lines[key]))
    missing = [key for key in ("question", "type", "source", "owner", "status")
               if not isinstance(data.get(key), str) or not data[key].strip()]
    if missing:
        problems.append(RegisterProblem(f"{name} needs {', '.join(missing)}", line))
        return None, problems
    kind, status = data["type"].strip(), data["status"].strip()
    source, owner = data["source"].strip(), data["owner"].strip()
    if kind not in TYPES:
        problems.append(RegisterProblem(f"{name}: type {_show(kind)} is not one of {', '.join(TYPES)}",
                                        lines["type"], "value"))
        return None, problems
    if status not in STATUSES:
        problems.append(RegisterProblem(f"{name}: status {_show(status)} is not proposed or confirmed",
                                        lines["status"]))
        return None, problems
    if source != NO_SOURCE and not BIB_KEY.fullmatch(source):
        problems.append(RegisterProblem(
            f"{name}: source {_show(source)} is neither a references.bib key nor '{NO_SOURCE}'",
            lines["source"]))
    if not PROTOCOL_ID.fullmatch(owner):
        problems.append(RegisterProblem(f"{name}: owner must be a protocol id such as PR-005, not {_show(owner)}",
                                        lines["owner"]))

    options = None
    if "options" in data:
        raw = data["options"]
        if not isinstance(raw, list) or not raw or not all(isinstance(o, str) and o.strip() for o in raw):
            problems.append(RegisterProblem(f"{name}: options must be a list of answers (text)",
                                            lines["options"], "value"))
            raw = [o for o in raw if isinstance(o, str)] if isinstance(raw, list) else []
        options = tuple(o.strip() for o in raw)
    value, value_problems = _check_value(decision_id, kind, data.get("value"), data.get("unit"),
                                         options, lines, line)
    problems += value_problems

    confirmed_by = data.get("confirmed-by")
    confirmed_by = confirmed_by.strip() if isinstance(confirmed_by, str) and confirmed_by.strip() else None
    confirmed_on = _as_date(data.get("confirmed-on"))
    if "confirmed-on" in data and confirmed_on is None:
        problems.append(RegisterProblem(
            f"{name}: confirmed-on {_show(data['confirmed-on'])} is not a date (YYYY-MM-DD)",
            lines["confirmed-on"], "confirmation"))
    elif status == "confirmed":
        absent = [words for key, words, present in (
            ("confirmed-by", "who confirmed it (confirmed-by)", confirmed_by),
            ("confirmed-on", "when (confirmed-on)", confirmed_on),
        ) if present is None]
        if absent:
            problems.append(RegisterProblem(
                f"{name} is confirmed but does not say {' or '.join(absent)}",
                lines["status"], "confirmation"))
    if status == "proposed" and ("confirmed-by" in data or "confirmed-on" in data):
        key = "confirmed-by" if "confirmed-by" in data else "confirmed-on"
        problems.append(RegisterProblem(
            f"{name} is proposed but has {key}: set status: confirmed, or remove {key}",
            lines[key], "confirmation"))

    wording = data.get("wording") or {}
    if "wording" in data:
        wording_problems = _check_wording(decision_id, data["wording"], lines["wording"])
        problems += wording_problems
        if wording_problems:
            wording = {}
    decision = Decision(
        id=decision_id,
        question=data["question"].strip(),
        type=kind,
        value=value,
        unit=data.get("unit") if isinstance(data.get("unit"), str) else None,
        options=options or (),
        source=source,
        owner=owner,
        status=status,
        confirmed_by=confirmed_by,
        confirmed_on=confirmed_on,
        wording=wording,
        line=line,
        key_lines=lines,
        value_ok=not value_problems,
    )
    return decision, problems


def parse_register(text: str) -> tuple[Register, list[RegisterProblem]]:
    """Read the register's YAML text.

    Returns the register and its problems (each with a 1-based line). An entry
    whose value does not fit its type stays in the register (``value_ok`` is
    false) so pages using it still build; an entry without a usable id, type
    or status is left out. Raises :class:`RegisterError` when the text is not
    YAML or has no ``decisions`` list.
    """
    try:
        root = _compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise RegisterError(f"decisions register is not valid YAML: {problem}",
                            mark.line + 1 if mark else 1) from None
    top = {}
    if isinstance(root, yaml.MappingNode):
        top = {key.value: (key, value) for key, value in root.value if isinstance(key, yaml.ScalarNode)}
    if "decisions" not in top or not isinstance(top["decisions"][1], (yaml.SequenceNode, yaml.ScalarNode)):
        raise RegisterError("decisions register must be a mapping with 'decisions': a list of decisions",
                            _line(root) if root is not None else 1)
    items = top["decisions"][1]
    if isinstance(items, yaml.ScalarNode):
        if items.value not in ("", "~", "null", "[]"):
            raise RegisterError("'decisions' must be a list of decisions", _line(items))
        return Register({}), []
    constructor = _Loader(text)
    decisions: dict[str, Decision] = {}
    problems: list[RegisterProblem] = []
    for item in items.value:
        if not isinstance(item, yaml.MappingNode):
            problems.append(RegisterProblem("a decision must be a mapping with id, question, type, value, "
                                            "source, owner and status", _line(item)))
            continue
        decision, found = _entry(item, constructor, decisions)
        problems += found
        if decision is not None:
            decisions[decision.id] = decision
    return Register(decisions), problems


# -- Formatting ---------------------------------------------------------------------


def _language(language: str) -> dict[str, Any]:
    base = (language or "en").replace("-", "_").split("_")[0]
    return UNIT_WORDS.get(language) or UNIT_WORDS.get(base) or UNIT_WORDS["en"]


def format_number(number: int | float) -> str:
    """``6`` -> ``"6"``, ``6.0`` -> ``"6"``, ``0.5`` -> ``"0.5"``."""
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return str(number)


def _unit(unit: str | None, audience: str, amount: int | float, language: str) -> str:
    if not unit:
        return ""
    words = _language(language)["units"].get(unit)
    if words is None:
        return unit
    if audience == "patient":
        singular, plural = words["patient"]
        return singular if amount == 1 else plural
    return words["staff"]


def format_value(decision: Decision, audience: str = "staff", language: str = "en") -> str:
    """The decision's value as a page prints it.

    number ``"94 %"``, ``"180 mmHg"``; range ``"60–100 beats/min"``; duration
    ``"6 h"`` for staff and ``"6 hours"`` for patients (unit words from
    :data:`UNIT_WORDS` for ``language``); choice the chosen option; text the
    text, or in another language its :func:`translated_value` when the
    register has one. ``audience`` is ``"staff"`` or ``"patient"``. A value
    that does not fit its type is printed as written.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
    value = decision.value
    if not decision.value_ok:
        return "" if value is None else str(value)
    if decision.type in ("number", "duration"):
        unit = _unit(decision.unit, audience, value, language)
        return f"{format_number(value)} {unit}".strip()
    if decision.type == "range":
        low, high = value
        unit = _unit(decision.unit, audience, high, language)
        dash = _language(language)["range_dash"]
        return f"{format_number(low)}{dash}{format_number(high)} {unit}".strip()
    translated = translated_value(decision, language)
    return str(value) if translated is None else translated


def translated_value(decision: Decision, language: str = "en") -> str | None:
    """A text or choice decision's value written in ``language`` (``wording.es.value``), or ``None``.

    Numbers, ranges and durations need no such entry (their unit words are
    translated); a text value is English words, so a translation carries its
    own rendering of it. English, and a language without one, give ``None``.
    """
    base = (language or "en").replace("-", "_").split("_")[0]
    if base == "en" or decision.type not in ("text", "choice"):
        return None
    for key in (language, base):
        block = decision.wording.get(key)
        if isinstance(block, dict) and isinstance(block.get("value"), str):
            return block["value"]
    return None


def wording_for(decision: Decision, audience: str = "staff", language: str = "en") -> str:
    """What the ``{decision}`` role prints: the audience's wording with ``{value}`` filled in.

    The wording is looked up in the ``language`` block first (``wording.es.patient``),
    then, for English, at the top (``wording.patient``); with no wording the
    formatted value is printed.
    """
    value = format_value(decision, audience, language)
    wording = decision.wording
    base = (language or "en").replace("-", "_").split("_")[0]
    text = None
    for key in (language, base):
        block = wording.get(key)
        if isinstance(block, dict) and isinstance(block.get(audience), str):
            text = block[audience]
            break
    if text is None and base == "en" and isinstance(wording.get(audience), str):
        text = wording[audience]
    if text is None:
        return value
    return text.replace("{value}", value)


def source_text(decision: Decision, language: str = "en") -> str:
    """The source as plain text: the references.bib key, or "No published source"."""
    return decision.source if decision.has_source else _language(language)["no_published_source"]


def status_text(decision: Decision, approver: str = "medical director") -> str:
    """``"Proposed: awaiting the medical director"`` or ``"Confirmed by … on YYYY-MM-DD"``."""
    if decision.status == "confirmed":
        who = decision.confirmed_by or "(not recorded)"
        when = decision.confirmed_on.isoformat() if decision.confirmed_on else "(not recorded)"
        return f"Confirmed by {who} on {when}"
    return f"Proposed: awaiting the {approver}"
