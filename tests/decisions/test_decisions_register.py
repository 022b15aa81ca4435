"""The decisions register, read and formatted without a build (``handbook.decisions.register``)."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from conftest import REPO_ROOT
from handbook.decisions.register import (
    UNIT_WORDS,
    RegisterError,
    format_value,
    parse_register,
    source_text,
    status_text,
    translated_value,
    wording_for,
)


def register_of(entries: str):
    return parse_register("decisions:\n" + textwrap.indent(textwrap.dedent(entries), "  "))


def field_lines(text: str) -> str:
    """Further keys of the ``BASE`` entry, written flush left in the test."""
    return textwrap.indent(textwrap.dedent(text), "  ")


def one(entry: str):
    register, problems = register_of(entry)
    assert problems == []
    (decision,) = register.decisions.values()
    return decision


BASE = """\
- id: LD-001
  question: How long before an infusion must the patient stop eating solid food?
  source: no published source
  owner: PR-005
  status: proposed
"""


def test_the_shipped_register_is_valid():
    register, problems = parse_register((REPO_ROOT / "reference" / "decisions.yaml").read_text(encoding="utf-8"))
    assert problems == []
    assert list(register.decisions)[:6] == ["LD-001", "LD-002", "LD-003", "LD-004", "LD-005", "LD-006"]


def test_duration_is_abbreviated_for_staff_and_spelled_out_for_patients():
    decision = one(BASE + "  type: duration\n  value: 6\n  unit: h\n")
    assert format_value(decision, "staff") == "6 h"
    assert format_value(decision, "patient") == "6 hours"
    assert decision.line == 2


@pytest.mark.parametrize(("value", "unit", "staff", "patient"), [
    (1, "h", "1 h", "1 hour"),
    (30, "min", "30 min", "30 minutes"),
    (2, "d", "2 d", "2 days"),
    (1, "weeks", "1 weeks", "1 week"),
    (3, "months", "3 months", "3 months"),
    (1.5, "h", "1.5 h", "1.5 hours"),
    (2.0, "h", "2 h", "2 hours"),
])
def test_duration_units(value, unit, staff, patient):
    decision = one(BASE + f"  type: duration\n  value: {value}\n  unit: {unit}\n")
    assert (format_value(decision, "staff"), format_value(decision, "patient")) == (staff, patient)


def test_number_range_choice_and_text():
    assert format_value(one(BASE + "  type: number\n  value: 94\n  unit: '%'\n")) == "94 %"
    assert format_value(one(BASE + "  type: number\n  value: 180\n  unit: mmHg\n"), "patient") == "180 mmHg"
    assert format_value(one(BASE + "  type: range\n  value: [60, 100]\n  unit: beats/min\n")) == "60–100 beats/min"
    assert format_value(one(BASE + "  type: range\n  value: [1, 2]\n  unit: h\n"), "patient") == "1–2 hours"
    choice = one(BASE + "  type: choice\n  value: a taxi\n  options: [a sober adult, a taxi]\n")
    assert format_value(choice, "patient") == "a taxi"
    assert choice.options == ("a sober adult", "a taxi")
    assert format_value(one(BASE + "  type: text\n  value: ' the next day '\n")) == "the next day"


def test_wording_per_audience_with_the_value_filled_in_and_the_value_as_fallback():
    decision = one(BASE + field_lines("""\
          type: duration
          value: 6
          unit: h
          wording:
            staff: "nil by mouth for solids for {value} before the infusion"
        """))
    assert wording_for(decision, "staff") == "nil by mouth for solids for 6 h before the infusion"
    assert wording_for(decision, "patient") == "6 hours"


def test_language_argument_and_a_per_language_wording_block(monkeypatch):
    decision = one(BASE + field_lines("""\
          type: duration
          value: 6
          unit: h
          wording:
            patient: "Do not eat any food for {value} before your treatment"
            es:
              patient: "No coma nada durante {value} antes del tratamiento"
        """))
    spanish = {**UNIT_WORDS["en"], "units": {**UNIT_WORDS["en"]["units"], "h": {"staff": "h", "patient": ("hora", "horas")}}}
    monkeypatch.setitem(UNIT_WORDS, "es", spanish)
    assert format_value(decision, "patient", "es") == "6 horas"
    assert wording_for(decision, "patient", "es") == "No coma nada durante 6 horas antes del tratamiento"
    assert wording_for(decision, "patient", "es_MX") == "No coma nada durante 6 horas antes del tratamiento"
    assert wording_for(decision, "patient", "en") == "Do not eat any food for 6 hours before your treatment"
    # A language without a block of its own gets the value, never the English sentence.
    assert wording_for(decision, "patient", "fr") == "6 hours"


def test_a_text_value_in_another_language_comes_from_its_language_block():
    decision = one(BASE + field_lines("""\
          type: text
          value: "not until the next day, after a night's sleep"
          wording:
            es:
              value: "no hasta el día siguiente, después de dormir toda la noche"
              patient: "Manejar: {value}"
        """))
    assert format_value(decision, "patient") == "not until the next day, after a night's sleep"
    assert format_value(decision, "patient", "es") == "no hasta el día siguiente, después de dormir toda la noche"
    assert wording_for(decision, "patient", "es_MX") == "Manejar: no hasta el día siguiente, después de dormir toda la noche"
    assert translated_value(decision, "en") is None and translated_value(decision, "fr") is None
    # Numbers carry their own translation (unit words): a value block is not consulted.
    duration = one(BASE + "  type: duration\n  value: 6\n  unit: h\n  wording: {es: {value: seis}}\n")
    assert translated_value(duration, "es") is None


def test_source_and_status_texts():
    proposed = one(BASE + "  type: number\n  value: 94\n  unit: '%'\n")
    assert source_text(proposed) == "No published source"
    assert status_text(proposed) == "Proposed: awaiting the medical director"
    confirmed = one(BASE.replace("status: proposed", "status: confirmed").replace(
        "no published source", "asa_fasting_2017")
        + "  type: number\n  value: 94\n  unit: '%'\n  confirmed-by: Medical Director\n  confirmed-on: 2026-12-01\n")
    assert confirmed.confirmed_on == dt.date(2026, 12, 1)
    assert source_text(confirmed) == "asa_fasting_2017"
    assert status_text(confirmed) == "Confirmed by Medical Director on 2026-12-01"


def test_fingerprint_changes_with_the_value_not_with_the_line():
    a = one(BASE + "  type: duration\n  value: 6\n  unit: h\n")
    b, _ = parse_register("# a comment\ndecisions:\n" + textwrap.indent(BASE + "  type: duration\n  value: 6\n  unit: h\n", "  "))
    c = one(BASE + "  type: duration\n  value: 8\n  unit: h\n")
    assert b.decisions["LD-001"].line == a.line + 1
    assert b.decisions["LD-001"].fingerprint() == a.fingerprint()
    assert c.fingerprint() != a.fingerprint()


@pytest.mark.parametrize(("extra", "message", "line"), [
    ("  type: duration\n  value: six\n  unit: h\n",
     "decision LD-001 is a duration but its value 'six' is not a number", 8),
    ("  type: duration\n  value: 6\n  unit: hours\n",
     "decision LD-001 is a duration but its unit 'hours' is not one of min, h, d, weeks, months", 9),
    ("  type: duration\n  unit: h\n",
     "decision LD-001 has no value (a duration needs one)", 2),
    ("  type: number\n  value: true\n", "decision LD-001 is a number but its value True is not a number", 8),
    ("  type: range\n  value: [100, 60]\n",
     "decision LD-001 is a range but its low end 100 is above its high end 60", 8),
    ("  type: range\n  value: 60\n",
     "decision LD-001 is a range but its value 60 is not [low, high] with two numbers", 8),
    ("  type: choice\n  value: a bus\n  options: [a sober adult, a taxi]\n",
     "decision LD-001 is a choice but its value 'a bus' is not one of its options (a sober adult, a taxi)", 8),
    ("  type: choice\n  value: a bus\n",
     "decision LD-001 is a choice but has no options (a list of the allowed answers)", 2),
    ("  type: text\n  value: 4\n", "decision LD-001 is text but its value 4 is not text", 8),
    ("  type: text\n  value: x\n  unit: h\n", "decision LD-001 is a text and cannot have a unit", 9),
])
def test_a_value_that_does_not_fit_its_type(extra, message, line):
    register, problems = register_of(BASE + extra)
    assert [(p.message, p.line, p.rule) for p in problems] == [(message, line, "value")]
    # The decision stays usable: pages print the value as written.
    decision = register.decisions["LD-001"]
    assert decision.value_ok is False


@pytest.mark.parametrize(("extra", "message", "line"), [
    ("  confirmed-by: Medical Director\n",
     "decision LD-001 is confirmed but does not say when (confirmed-on)", 6),
    ("  confirmed-on: 2026-12-01\n",
     "decision LD-001 is confirmed but does not say who confirmed it (confirmed-by)", 6),
    ("",
     "decision LD-001 is confirmed but does not say who confirmed it (confirmed-by) or when (confirmed-on)", 6),
    ("  confirmed-by: Medical Director\n  confirmed-on: 2026-02-30\n",
     "decision LD-001: confirmed-on '2026-02-30' is not a date (YYYY-MM-DD)", 11),
])
def test_a_confirmed_decision_needs_who_and_when(extra, message, line):
    entry = BASE.replace("status: proposed", "status: confirmed") + "  type: duration\n  value: 6\n  unit: h\n" + extra
    _, problems = register_of(entry)
    assert [(p.message, p.line, p.rule) for p in problems] == [(message, line, "confirmation")]


def test_a_proposed_decision_with_a_confirmation_is_a_problem():
    _, problems = register_of(BASE + "  type: duration\n  value: 6\n  unit: h\n  confirmed-by: Medical Director\n")
    assert [p.message for p in problems] == [
        "decision LD-001 is proposed but has confirmed-by: set status: confirmed, or remove confirmed-by"]


@pytest.mark.parametrize(("entry", "message", "line"), [
    (BASE.replace("LD-001", "LD-1") + "  type: text\n  value: x\n", "decision id must look like LD-001, not 'LD-1'", 2),
    (BASE + "  type: text\n  value: x\n" + BASE, "decision LD-001 appears twice (first at line 2)", 9),
    (BASE + "  type: colour\n  value: x\n", "decision LD-001: type 'colour' is not one of number, range, duration, choice, text", 7),
    (BASE.replace("status: proposed", "status: approved") + "  type: text\n  value: x\n",
     "decision LD-001: status 'approved' is not proposed or confirmed", 6),
    (BASE.replace("owner: PR-005", "owner: nurses") + "  type: text\n  value: x\n",
     "decision LD-001: owner must be a protocol id such as PR-005, not 'nurses'", 5),
    (BASE.replace("no published source", "No source at all") + "  type: text\n  value: x\n",
     "decision LD-001: source 'No source at all' is neither a references.bib key nor 'no published source'", 4),
    (BASE + "  type: text\n  value: x\n  note: hello\n",
     "decision LD-001: unknown key 'note' (allowed: id, question, type, value, unit, options, source, owner, "
     "status, confirmed-by, confirmed-on, wording)", 9),
    (BASE.replace("  owner: PR-005\n", "") + "  type: text\n  value: x\n", "decision LD-001 needs owner", 2),
    (BASE + "  type: text\n  value: x\n  wording: {nurses: x}\n",
     "decision LD-001: wording key 'nurses' is not staff, patient or a language block (such as es:)", 9),
])
def test_malformed_entries_name_their_line(entry, message, line):
    _, problems = register_of(entry)
    assert [(p.message, p.line) for p in problems] == [(message, line)]


def test_unreadable_register_raises_with_its_line():
    with pytest.raises(RegisterError) as error:
        parse_register("decisions:\n  - id: LD-001\n    question: [unclosed\n")
    assert error.value.message.startswith("decisions register is not valid YAML")
    assert error.value.line == 4
    with pytest.raises(RegisterError, match="must be a mapping with 'decisions'"):
        parse_register("- id: LD-001\n")
    register, problems = parse_register("decisions: []\n")
    assert (register.decisions, problems) == ({}, [])


def test_audience_must_be_staff_or_patient():
    decision = one(BASE + "  type: duration\n  value: 6\n  unit: h\n")
    with pytest.raises(ValueError, match="audience must be one of staff, patient"):
        format_value(decision, "nurse")
