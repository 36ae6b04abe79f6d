"""A condition in words: one wording of the condition language for every reader of the rules.

Two layouts of the same words: ``formula`` puts a condition on one line with the stored answer
values (the trace, JSON output, FHIR notes), ``outline`` indents it with the option labels people
read and names the rules behind each fact (``muscle-triage explain``). A ``not`` that held, shown
in the why chain, is worded by ``absence``. Each test is worded here and only here.
"""

from __future__ import annotations

from engine.model import (
    AllOf,
    AnswerTest,
    AnyOf,
    Condition,
    FactTest,
    KnowledgeBase,
    NotOf,
    Rule,
)

#: Answer operators as verbs: with the stored values (a formula), and before option labels, which
#: are joined by "or" (so "is one of" would read twice).
_FORMULA_VERBS = {"is": "is", "in": "is one of", "includes": "includes",
                  "includes_any": "includes any of"}
_LABEL_VERBS = {**_FORMULA_VERBS, "in": "is"}


def rules_deriving(kb: KnowledgeBase, fact: str) -> list[Rule]:
    """The rules that conclude a fact, in knowledge base order."""
    return [rule for rule in kb.rules if fact in rule.then.derive]


def formula(condition: Condition) -> str:
    """A condition on one line, e.g. ``(inactivity includes any of bed_rest, cast and fact x)``."""
    if isinstance(condition, AnswerTest):
        return (f"{condition.question} {_FORMULA_VERBS[condition.op]} "
                f"{', '.join(sorted(condition.values))}")
    if isinstance(condition, FactTest):
        return f"fact {condition.fact}"
    if isinstance(condition, NotOf):
        return f"not ({formula(condition.part)})"
    joiner = " and " if isinstance(condition, AllOf) else " or "
    return "(" + joiner.join(formula(part) for part in condition.parts) + ")"


def absence(condition: NotOf) -> str:
    """A ``not`` that held, said as what was missing."""
    if isinstance(condition.part, FactTest):
        return f"no rule concluded '{condition.part.fact}'"
    return f"not ({formula(condition.part)})"


def _labelled(kb: KnowledgeBase, leaf: AnswerTest | FactTest) -> str:
    if isinstance(leaf, FactTest):
        by = ", ".join(r.id for r in rules_deriving(kb, leaf.fact)) or "no rule"
        return f"fact {leaf.fact} (concluded by {by})"
    question = kb.question(leaf.question)
    labels = [f'"{question.label_of(v)}"' for v in question.values if v in leaf.values]
    joiner = ", " if leaf.op == "includes_any" else " or "
    return f"{leaf.question} {_LABEL_VERBS[leaf.op]} {joiner.join(labels)}"


def outline(kb: KnowledgeBase, condition: Condition, depth: int = 0) -> list[str]:
    """A condition as indented lines: all of / any of / not, answers by their labels."""
    pad = "  " * depth
    if isinstance(condition, (AnswerTest, FactTest)):
        return [pad + _labelled(kb, condition)]
    if isinstance(condition, NotOf):
        inner = outline(kb, condition.part, depth + 1)
        if len(inner) == 1:
            return [f"{pad}not: {inner[0].strip()}"]
        return [pad + "not:", *inner]
    assert isinstance(condition, (AllOf, AnyOf))
    lines = [pad + ("all of:" if isinstance(condition, AllOf) else "any of:")]
    for part in condition.parts:
        sub = outline(kb, part, depth + 2)
        lines.append(f"{pad}  - {sub[0].strip()}")
        lines += sub[1:]
    return lines
