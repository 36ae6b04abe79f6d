"""Plain-words reasons: which parts of a rule's condition held, and what it concluded.

The engine says which rules fired; this module says why, by reading each fired rule's condition
against the answers and derived facts. Only the parts that held are named, so a reader sees the
answers behind a result and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.explain.held import held_parts
from engine.explain.words import formula
from engine.model import (
    AnswerTest,
    AnswerValue,
    Condition,
    FactTest,
    KnowledgeBase,
    Rule,
)


def because(kb: KnowledgeBase, condition: Condition, answers: Mapping[str, AnswerValue],
            facts: frozenset[str]) -> list[str]:
    """The parts of a (true) condition that made it true, in plain words."""
    reasons: list[str] = []
    for part in held_parts(condition, answers, facts):
        if isinstance(part, AnswerTest):
            value = answers[part.question]
            words = f"{part.question}: {kb.question(part.question).answer_text(value)}"
        elif isinstance(part, FactTest):
            words = f"fact {part.fact}"
        else:
            words = formula(part)
        if words not in reasons:
            reasons.append(words)
    return reasons


def concluded(rule: Rule) -> list[str]:
    """What a rule concludes, as short labelled items."""
    then = rule.then
    items = [f"level {then.level}"] if then.level else []
    items += [f"reading {topic}" for topic in then.reading]
    items += [f"fact {fact}" for fact in then.derive]
    if then.guidance:
        items.append("guidance")
    return items
