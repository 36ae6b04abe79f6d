"""Which scenario cases mention a rule or a question, for `muscle-triage explain`.

Scenario files (``*.scenarios.yaml`` beside the rules) are loaded and checked by
``engine.verify.scenarios``; here they are only searched, to point from a rule or a question to the
cases that exercise it. A case exercises a rule when it expects the rule to fire or to stay
silent, and a question when its answers include it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from engine.model import KnowledgeBase
from engine.verify.scenarios import Case, load_cases, scenario_files


def read_cases(kb: KnowledgeBase) -> list[Case]:
    """Every case beside the knowledge base (raises KnowledgeBaseError for a broken file)."""
    return load_cases(kb, scenario_files(Path(kb.root)))


def cases_for_rule(cases: Iterable[Case], rule_id: str) -> list[tuple[Case, bool]]:
    """Cases that expect the rule to fire (True) or to stay silent (False)."""
    found: list[tuple[Case, bool]] = []
    for case in cases:
        if rule_id in case.expect.fires:
            found.append((case, True))
        elif rule_id in case.expect.not_fires:
            found.append((case, False))
    return found


def cases_for_question(cases: Iterable[Case], question_id: str) -> list[Case]:
    """Cases whose answers include the question."""
    return [case for case in cases if question_id in case.answers]
