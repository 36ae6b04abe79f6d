"""Which scenario cases mention a rule or a question, for `muscle-triage explain`.

Scenario files (``*.scenarios.yaml`` beside the rules, format in
``rules/schemas/scenarios.schema.json``) say "given these answers, expect this". Here they are only
read to point from a rule or question to the cases that exercise it; running and checking them is
the scenario runner's job. The files are read with the project's strict YAML reader, and a case
without the expected shape is skipped rather than guessed at (``check`` reports it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from engine.paths import display_path
from engine.yamlio import MarkedDict, read_yaml

SCENARIO_SUFFIX = ".scenarios.yaml"


@dataclass(frozen=True)
class CaseRef:
    """One scenario case, reduced to what points at rules and questions."""

    file: str
    line: int | None
    id: str
    description: str
    answered: frozenset[str]
    fires: frozenset[str]
    not_fires: frozenset[str]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def _names(value: object) -> frozenset[str]:
    if isinstance(value, list):
        return frozenset(str(item) for item in value)
    return frozenset()


def read_case_refs(root: Path) -> list[CaseRef]:
    """Every case in ``root/*.scenarios.yaml`` (raises YamlError for a malformed file)."""
    refs: list[CaseRef] = []
    for path in sorted(root.glob(f"*{SCENARIO_SUFFIX}")):
        shown = display_path(path)
        document = read_yaml(path, shown)
        cases = document.get("cases") if isinstance(document, dict) else None
        for case in cases if isinstance(cases, list) else []:
            if not isinstance(case, MarkedDict) or not isinstance(case.get("id"), str):
                continue
            answers = case.get("answers")
            expect = case.get("expect")
            expect = expect if isinstance(expect, dict) else {}
            refs.append(CaseRef(
                file=shown, line=getattr(case, "line", None), id=case["id"],
                description=" ".join(str(case.get("description", "")).split()),
                answered=frozenset(answers) if isinstance(answers, dict) else frozenset(),
                fires=_names(expect.get("fires")), not_fires=_names(expect.get("not_fires"))))
    return refs


def cases_for_rule(refs: Iterable[CaseRef], rule_id: str) -> list[tuple[CaseRef, bool]]:
    """Cases that expect the rule to fire (True) or to stay silent (False)."""
    found: list[tuple[CaseRef, bool]] = []
    for ref in refs:
        if rule_id in ref.fires:
            found.append((ref, True))
        elif rule_id in ref.not_fires:
            found.append((ref, False))
    return found


def cases_for_question(refs: Iterable[CaseRef], question_id: str) -> list[CaseRef]:
    """Cases whose answers include the question."""
    return [ref for ref in refs if question_id in ref.answered]
