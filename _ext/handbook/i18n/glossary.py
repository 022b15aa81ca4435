"""Glossary rules: terms that must not be mistranslated, checked on every translated message.

The rules are data, one YAML file per language (``locales/es/glossary.yaml``;
setting ``handbook_glossary_files``), so a clinic adds a rule without code.
Patterns are Python regular expressions, matched case-insensitively; each rule
has an ``id`` and a ``message`` (what to write instead), and one of:

``forbid``
    a pattern the translation must not contain. Narrowed by ``english`` (the
    rule applies only when the English message matches), ``unless-english``
    (not when the English matches: "street drugs" may be "drogas"), and
    ``unless`` (not when the translation also matches, e.g. an explanation).
``first-use-needs``
    with ``forbid``: only the first message of a page that uses the term is
    checked, and it must also match this pattern (the term is explained once:
    "tratamiento por vena (infusión intravenosa)").
``keep``
    patterns whose every match in the English message must appear unchanged in
    the translation (911, 988, ``{{ clinic.phone }}``). ``{clinic.<setting>}``
    in a pattern stands for that clinic setting's value, escaped.

:func:`check` returns :class:`Finding` objects naming the ``.po`` line; the
Sphinx glue reports them as ``handbook.glossary`` warnings.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from handbook.i18n.catalogs import Entry

RULE_KEYS = ("id", "message", "forbid", "english", "unless-english", "unless", "first-use-needs", "keep")


class GlossaryError(ValueError):
    """A glossary file that cannot be used; ``line`` is where (1-based)."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


@dataclasses.dataclass(frozen=True)
class Rule:
    id: str
    message: str
    forbid: re.Pattern | None = None
    english: re.Pattern | None = None
    unless_english: re.Pattern | None = None
    unless: re.Pattern | None = None
    first_use_needs: re.Pattern | None = None
    keep: tuple[re.Pattern, ...] = ()


@dataclasses.dataclass(frozen=True)
class Finding:
    rule: str
    line: int  # in the .po file
    message: str


_CLINIC = re.compile(r"\{clinic\.(\w+)\}")


def _compile(pattern: Any, rule_id: str, key: str, clinic: Mapping[str, str], line: int) -> re.Pattern:
    if not isinstance(pattern, str) or not pattern:
        raise GlossaryError(f"rule {rule_id}: {key} must be a regular expression (text)", line)

    def setting(match: re.Match) -> str:
        name = match.group(1)
        if name not in clinic:
            raise GlossaryError(f"rule {rule_id}: {{clinic.{name}}} is not a clinic setting "
                                f"(known: {', '.join(clinic)})", line)
        return re.escape(clinic[name])

    try:
        return re.compile(_CLINIC.sub(setting, pattern), re.IGNORECASE)
    except re.error as error:
        raise GlossaryError(f"rule {rule_id}: {key} {pattern!r} is not a valid regular expression: {error}", line) from None


def parse_rules(text: str, clinic: Mapping[str, str]) -> list[Rule]:
    """The rules of a glossary file's text; :class:`GlossaryError` at the offending line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise GlossaryError(f"not valid YAML: {error}", mark.line + 1 if mark else 1) from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise GlossaryError("must be a mapping with one key, 'rules', a list of rules")
    rule_lines = []
    for key_node, value_node in root.value:
        if key_node.value == "rules":
            rule_lines = [node.start_mark.line + 1 for node in value_node.value]
    rules, seen = [], set()
    for index, item in enumerate(data["rules"]):
        line = rule_lines[index] if index < len(rule_lines) else 1
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise GlossaryError("each rule must be a mapping with an id", line)
        rule_id = item["id"]
        unknown = sorted(set(item) - set(RULE_KEYS))
        if unknown:
            raise GlossaryError(f"rule {rule_id}: unknown key(s) {', '.join(unknown)}; known: {', '.join(RULE_KEYS)}", line)
        if rule_id in seen:
            raise GlossaryError(f"rule {rule_id}: the id is used twice", line)
        seen.add(rule_id)
        if not isinstance(item.get("message"), str):
            raise GlossaryError(f"rule {rule_id}: message (what to write instead) is missing", line)
        if ("forbid" in item) == ("keep" in item):
            raise GlossaryError(f"rule {rule_id}: give exactly one of forbid or keep", line)
        compiled = {key.replace("-", "_"): _compile(item[key], rule_id, key, clinic, line)
                    for key in ("forbid", "english", "unless-english", "unless", "first-use-needs") if key in item}
        keep = item.get("keep", [])
        if "keep" in item and (not isinstance(keep, list) or not keep):
            raise GlossaryError(f"rule {rule_id}: keep must be a list of patterns", line)
        rules.append(Rule(rule_id, item["message"], keep=tuple(_compile(p, rule_id, "keep", clinic, line) for p in keep),
                          **compiled))
    return rules


def read_rules(path: Path, clinic: Mapping[str, str]) -> list[Rule]:
    return parse_rules(Path(path).read_text(encoding="utf-8"), clinic)


def check(entries: Iterable[Entry], rules: Iterable[Rule]) -> list[Finding]:
    """Every rule broken by the translated entries of one catalog (one page), in line order."""
    entries = [e for e in entries if e.msgstr and not e.fuzzy]  # a fuzzy entry is not used (yet)
    findings = []
    for rule in rules:
        if rule.keep:
            for entry in entries:
                for pattern in rule.keep:
                    for term in dict.fromkeys(m.group(0) for m in pattern.finditer(entry.msgid)):
                        if entry.msgstr.count(term) < entry.msgid.count(term):
                            findings.append(Finding(rule.id, entry.line, rule.message.format(term=term)))
            continue
        first_use_done = False
        for entry in entries:
            match = rule.forbid.search(entry.msgstr)
            if not match:
                continue
            if rule.english and not rule.english.search(entry.msgid):
                continue
            if rule.unless_english and rule.unless_english.search(entry.msgid):
                continue
            if rule.unless and rule.unless.search(entry.msgstr):
                continue
            if rule.first_use_needs is not None:
                if first_use_done:
                    continue
                first_use_done = True
                if rule.first_use_needs.search(entry.msgstr):
                    continue
            findings.append(Finding(rule.id, entry.line, rule.message.format(term=match.group(0))))
    return sorted(findings, key=lambda f: (f.line, f.rule))
