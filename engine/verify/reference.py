"""A second, independent evaluator of the rule language, in plain Python.

It shares no code with the experta compiler (engine/run/rete.py): each condition becomes a Python
closure once, and rules are evaluated stratum by stratum until nothing more fires. The experta
network must agree with it on every answer set tried; the agreement is what makes both
trustworthy, and this one is fast enough (tens of microseconds a set) to check the safety
invariants over hundreds of thousands of answer sets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache

from engine.model import (
    AllOf,
    AnswerTest,
    AnswerValue,
    AnyOf,
    Assessment,
    Condition,
    FactTest,
    KnowledgeBase,
)
from engine.run.answers import AskPlan, split_answers
from engine.run.assess import fold
from engine.run.strata import dependency_order, strata

Test = Callable[[Mapping[str, AnswerValue], set[str]], bool]


def _compile(condition: Condition) -> Test:
    """A closure that evaluates the condition (same meaning as engine.conditions.evaluate)."""
    if isinstance(condition, AnswerTest):
        key, values = condition.question, condition.values

        def answer(answers: Mapping[str, AnswerValue], facts: set[str]) -> bool:
            value = answers.get(key)
            if value is None:
                return False
            if isinstance(value, str):
                return value in values
            return not values.isdisjoint(value)
        return answer
    if isinstance(condition, FactTest):
        name = condition.fact
        return lambda answers, facts: name in facts
    if isinstance(condition, AllOf):
        parts = tuple(_compile(part) for part in condition.parts)

        def every(answers: Mapping[str, AnswerValue], facts: set[str]) -> bool:
            for part in parts:  # noqa: SIM110 - a plain loop: no generator on the hot path
                if not part(answers, facts):
                    return False
            return True
        return every
    if isinstance(condition, AnyOf):
        parts = tuple(_compile(part) for part in condition.parts)

        def some(answers: Mapping[str, AnswerValue], facts: set[str]) -> bool:
            for part in parts:  # noqa: SIM110 - a plain loop: no generator on the hot path
                if part(answers, facts):
                    return True
            return False
        return some
    inner = _compile(condition.part)
    return lambda answers, facts: not inner(answers, facts)


class ReferenceEvaluator:
    """The knowledge base's rules as closures, in dependency order (or layered by stratum)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        order = dependency_order(kb.rules)
        if order is not None:  # one layer, one pass
            layer = dict.fromkeys(order, 0)
            position = {rule_id: index for index, rule_id in enumerate(order)}
        else:
            layer = strata(kb.rules)
            position = {rule.id: index for index, rule in enumerate(kb.rules)}
        self.one_pass = order is not None
        ranked = sorted(kb.rules, key=lambda rule: position[rule.id])
        self.layers = tuple(
            tuple((rule.id, _compile(rule.when), rule.then.derive,
                   kb.level(rule.then.level).rank if rule.then.level else -1)
                  for rule in ranked if layer[rule.id] == number)
            for number in sorted(set(layer.values())))
        self.ask_if: AskPlan = tuple((q.id, _compile(q.ask_if) if q.ask_if else None)
                                     for q in kb.questions)
        self.default_rank = kb.level(kb.default_level).rank

    def applicable(self, answers: Mapping[str, AnswerValue]
                   ) -> tuple[dict[str, AnswerValue], tuple[str, ...]]:
        """The answers that count (engine.run.answers.split_answers), ask_if as closures."""
        return split_answers(self.ask_if, answers)

    def run(self, answers: Mapping[str, AnswerValue]) -> tuple[set[str], set[str], int]:
        """(fired rule ids, derived facts, level rank) for answers already applicable."""
        fired: set[str] = set()
        facts: set[str] = set()
        rank = self.default_rank
        for rules in self.layers:
            changed = True
            while changed:
                changed = False
                for rule_id, holds, derive, level in rules:
                    if rule_id not in fired and holds(answers, facts):
                        fired.add(rule_id)
                        facts.update(derive)
                        if level > rank:
                            rank = level
                        changed = not self.one_pass
        return fired, facts, rank

    def level_rank(self, answers: Mapping[str, AnswerValue]) -> int:
        return self.run(self.applicable(answers)[0])[2]

    def assess(self, answers: Mapping[str, AnswerValue]) -> Assessment:
        kept, ignored = self.applicable(answers)
        fired, derived, _ = self.run(kept)
        return fold(self.kb, kept, frozenset(fired), frozenset(derived), ignored)


@cache
def reference_for(kb: KnowledgeBase) -> ReferenceEvaluator:
    return ReferenceEvaluator(kb)
