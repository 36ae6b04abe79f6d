"""The same rules through CLIPS (clipspy), for the benchmark's ratio.

Each rule becomes a defrule with the same salience (its stratum), conditions with negations
pushed to the leaves, and an action that asserts ``(fired <rule>)`` and its derived facts. Answers
are ``answer`` facts, one per chosen value (``(answer (question q) (value v))``), so ``is``/``in``
and ``includes``/``includes_any`` are both a pattern with a value constraint (``a|b``), and an
unanswered question matches nothing, as in our engine. Answers go in through CLIPS's fact builder
(``Template.assert_fact``), not as strings: parsing a string per fact costs more than the run.

clipspy 1.0.6 never releases the facts it wraps: its ``Fact.__del__`` calls ``ReleaseFact`` with
the environment as an extra argument, the call fails with a TypeError it swallows, and CLIPS keeps
every retracted fact alive, so each run gets slower than the last. Every wrapper this module gets
back is released here, by hand, with the one-argument call CLIPS 6.4 expects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import clips
from clips._clips import lib  # type: ignore[import-not-found]

from engine.model import (
    AllOf,
    AnswerTest,
    AnswerValue,
    AnyOf,
    Condition,
    FactTest,
    KnowledgeBase,
    NotOf,
)
from engine.run.strata import strata


def _push_not(condition: Condition, negated: bool = False) -> Condition:
    if isinstance(condition, NotOf):
        return _push_not(condition.part, not negated)
    if isinstance(condition, (AllOf, AnyOf)):
        parts = tuple(_push_not(part, negated) for part in condition.parts)
        conjunction = isinstance(condition, AllOf) != negated
        return AllOf(parts) if conjunction else AnyOf(parts)
    return NotOf(condition) if negated else condition


def _pattern(leaf: AnswerTest | FactTest) -> str:
    if isinstance(leaf, FactTest):
        return f"(derived {leaf.fact})"
    return f"(answer (question {leaf.question}) (value {'|'.join(sorted(leaf.values))}))"


def _ce(condition: Condition) -> str:
    if isinstance(condition, (AnswerTest, FactTest)):
        return _pattern(condition)
    if isinstance(condition, NotOf):
        assert isinstance(condition.part, (AnswerTest, FactTest))
        return f"(not {_pattern(condition.part)})"
    joined = " ".join(_ce(part) for part in condition.parts)
    return f"({'and' if isinstance(condition, AllOf) else 'or'} {joined})"


def defrules(kb: KnowledgeBase) -> list[str]:
    """One CLIPS defrule per rule of the knowledge base."""
    layers = strata(kb.rules)
    top = max(layers.values(), default=0)
    built = []
    for rule in kb.rules:
        asserts = " ".join([f"(fired {rule.id})"] + [f"(derived {f})" for f in rule.then.derive])
        built.append(f"(defrule {rule.id} (declare (salience {top - layers[rule.id]})) "
                     f"{_ce(_push_not(rule.when))} => (assert {asserts}))")
    return built


def _release(fact: Any) -> None:
    """Drop CLIPS's hold on a fact wrapper (what clipspy's own __del__ fails to do)."""
    lib.ReleaseFact(fact._fact)


class ClipsNetwork:
    """A knowledge base loaded into one CLIPS environment."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.env = clips.Environment()
        self.env.build("(deftemplate answer (slot question) (slot value))")
        for rule in defrules(kb):
            self.env.build(rule)
        self.answer = self.env.find_template("answer")

    def run(self, answers: Mapping[str, AnswerValue]) -> None:
        """reset, assert the answers, run: the same work as CompiledNetwork.run."""
        self.env.reset()
        assert_fact = self.answer.assert_fact
        for question, value in answers.items():
            for one in (value,) if isinstance(value, str) else value:
                _release(assert_fact(question=clips.Symbol(question), value=clips.Symbol(one)))
        self.env.run()

    def fired(self) -> frozenset[str]:
        """The rules that fired in the last run (for checking both engines agree)."""
        names = set()
        for fact in self.env.facts():
            if fact.template.name == "fired":
                names.add(str(fact[0]))
            _release(fact)
        return frozenset(names)
