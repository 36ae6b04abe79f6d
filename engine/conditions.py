"""The closed condition language used by rules (`when`) and questions (`ask_if`).

A condition is data, never code: ``all``/``any``/``not`` over answer tests and derived facts.
This module turns schema-checked YAML into Condition values and evaluates them in plain Python.
The plain evaluation is used for ``ask_if``, for explanations and as the reference the compiled
experta network is checked against; it shares no code with the experta compiler on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from engine.model import AllOf, AnswerTest, AnswerValue, AnyOf, Condition, FactTest, NotOf
from engine.problems import Marks

#: The answer operators and whether each takes a list of values.
ANSWER_OPS: dict[str, bool] = {"is": False, "in": True, "includes": False, "includes_any": True}
#: Operators that read a several-of question (the others read single-valued questions).
MULTI_OPS = frozenset({"includes", "includes_any"})


def parse_condition(node: Mapping[str, Any]) -> Condition:
    """Build a Condition from a schema-valid YAML mapping.

    A mapping read from a file (engine/load/yaml_reader.py's MarkedDict) gives each answer and
    fact test its marks: the lines of its keys, where the cross-checks point.
    """
    if "all" in node:
        return AllOf(tuple(parse_condition(part) for part in node["all"]))
    if "any" in node:
        return AnyOf(tuple(parse_condition(part) for part in node["any"]))
    if "not" in node:
        return NotOf(parse_condition(node["not"]))
    marks = Marks(getattr(node, "line", None), getattr(node, "key_lines", {}))
    if "fact" in node:
        return FactTest(str(node["fact"]), marks)
    for op, takes_list in ANSWER_OPS.items():
        if op in node:
            raw = node[op]
            values = frozenset(str(v) for v in raw) if takes_list else frozenset({str(raw)})
            return AnswerTest(str(node["answer"]), values, op, marks)
    raise ValueError(f"not a condition: {dict(node)!r}")  # the schema rules this out


def answer_matches(test: AnswerTest, value: AnswerValue | None) -> bool:
    """Whether one answer satisfies an answer test (total: any value gives a bool)."""
    if value is None:
        return False
    if isinstance(value, str):
        return value in test.values
    return not test.values.isdisjoint(value)


def evaluate(condition: Condition, answers: Mapping[str, AnswerValue],
             facts: frozenset[str] | set[str] = frozenset()) -> bool:
    """Evaluate a condition against answers and the derived facts known so far."""
    if isinstance(condition, AnswerTest):
        return answer_matches(condition, answers.get(condition.question))
    if isinstance(condition, FactTest):
        return condition.fact in facts
    if isinstance(condition, AllOf):
        return all(evaluate(part, answers, facts) for part in condition.parts)
    if isinstance(condition, AnyOf):
        return any(evaluate(part, answers, facts) for part in condition.parts)
    return not evaluate(condition.part, answers, facts)


def leaves(condition: Condition, negated: bool = False
           ) -> Iterator[tuple[AnswerTest | FactTest, bool]]:
    """Every answer test and fact test in a condition, with whether it sits under a ``not``."""
    if isinstance(condition, (AnswerTest, FactTest)):
        yield condition, negated
    elif isinstance(condition, (AllOf, AnyOf)):
        for part in condition.parts:
            yield from leaves(part, negated)
    else:
        yield from leaves(condition.part, not negated)


def questions_read(condition: Condition | None) -> set[str]:
    if condition is None:
        return set()
    return {leaf.question for leaf, _ in leaves(condition) if isinstance(leaf, AnswerTest)}


def facts_read(condition: Condition | None) -> dict[str, bool]:
    """Facts a condition reads, mapped to True when any reading of it is negated."""
    found: dict[str, bool] = {}
    if condition is None:
        return found
    for leaf, negated in leaves(condition):
        if isinstance(leaf, FactTest):
            found[leaf.fact] = found.get(leaf.fact, False) or negated
    return found
