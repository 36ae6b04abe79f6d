"""The experta adapter: the one module that imports experta.

It compiles a KnowledgeBase into a KnowledgeEngine subclass whose rules are built from the YAML
conditions (each action named after its rule id, so experta's own traces read well), and runs it.

Facts: all answers of an assessment go into one ``Answers`` fact (one key per question), and each
derived fact is a ``Derived`` fact. One fact for all answers means an answer test is a single
feature check on a single fact, instead of a join over one fact per answer: that choice decides
most of the cost of a run. Predicates are total (any value gives True or False), because experta
may run alpha tests in hash order.
"""

from __future__ import annotations

import collections
import collections.abc
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any


def _import_experta() -> Any:
    """Import experta, tolerating its stale pins and undoing its logging side effect.

    experta 1.9.4 pins frozendict 1.2, which refers to ``collections.Mapping`` (gone in Python
    3.10); under a plain ``pip install`` that pin wins, so the alias is restored for that import
    only when needed. experta calls ``logging.basicConfig()`` at import, which would make every
    library's warnings print on our users' terminals: the handlers it adds are removed again.
    """
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        import frozendict  # noqa: F401
    except (AttributeError, ImportError):
        collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]
    import experta

    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
    return experta


experta = _import_experta()
from experta import AND, NOT, OR, Fact, KnowledgeEngine, P  # noqa: E402
from experta import Rule as ExpertaRule  # noqa: E402

from engine.model import (  # noqa: E402
    AllOf,
    AnswerTest,
    AnswerValue,
    AnyOf,
    Condition,
    FactTest,
    KnowledgeBase,
    NotOf,
)
from engine.strata import strata  # noqa: E402


class Answers(Fact):  # type: ignore[misc]
    """Every answer of one assessment: question id -> value (a tuple for several-of)."""


class Derived(Fact):  # type: ignore[misc]
    """A fact concluded by a rule, named by ``name``."""


@dataclass(frozen=True)
class RunResult:
    """What one run of the network produced, in firing order."""

    fired: tuple[str, ...]
    derived: frozenset[str]


@cache
def _member_of(values: frozenset[str], multi: bool) -> Callable[[Any], bool]:
    """A shared, total predicate: identical tests share one alpha node in the network."""
    if multi:
        def test(value: Any) -> bool:
            return isinstance(value, tuple) and not values.isdisjoint(value)
    else:
        def test(value: Any) -> bool:
            return isinstance(value, str) and value in values
    test.__name__ = f"{'includes_any' if multi else 'in'}_{'_'.join(sorted(values))}"
    return test


def _push_not(condition: Condition, negated: bool = False) -> Condition:
    """Push negations down to the leaves (De Morgan), the form experta matches well."""
    if isinstance(condition, NotOf):
        return _push_not(condition.part, not negated)
    if isinstance(condition, AllOf):
        parts = tuple(_push_not(part, negated) for part in condition.parts)
        return AnyOf(parts) if negated else AllOf(parts)
    if isinstance(condition, AnyOf):
        parts = tuple(_push_not(part, negated) for part in condition.parts)
        return AllOf(parts) if negated else AnyOf(parts)
    return NotOf(condition) if negated else condition


class _Compiler:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.multi = {q.id: q.kind == "several_of" for q in kb.questions}

    def answer_pattern(self, tests: list[AnswerTest]) -> Any:
        checks: dict[str, Any] = {}
        for test in tests:
            multi = self.multi[test.question]
            if not multi and len(test.values) == 1:
                checks[test.question] = next(iter(test.values))
            else:
                checks[test.question] = P(_member_of(test.values, multi))
        return Answers(**checks)

    def leaf(self, condition: AnswerTest | FactTest) -> Any:
        if isinstance(condition, FactTest):
            return Derived(name=condition.fact)
        return self.answer_pattern([condition])

    def pattern(self, condition: Condition) -> Any:
        if isinstance(condition, (AnswerTest, FactTest)):
            return self.leaf(condition)
        if isinstance(condition, NotOf):
            assert isinstance(condition.part, (AnswerTest, FactTest))  # after _push_not
            return NOT(self.leaf(condition.part))
        if isinstance(condition, AnyOf):
            return OR(*(self.pattern(part) for part in condition.parts))
        # AND: positive tests on distinct questions share one Answers pattern (one alpha path).
        merged: dict[str, AnswerTest] = {}
        others: list[Condition] = []
        for part in condition.parts:
            if isinstance(part, AnswerTest) and part.question not in merged:
                merged[part.question] = part
            else:
                others.append(part)
        patterns = [self.answer_pattern(list(merged.values()))] if merged else []
        patterns += [self.pattern(part) for part in others]
        return AND(*patterns)


def _action(rule_id: str, derive: tuple[str, ...]) -> Callable[[Any], None]:
    def action(engine: Any) -> None:
        # An OR rule fires once per true branch: record the rule once.
        if rule_id not in engine.fired_ids:
            engine.fired_ids[rule_id] = None
            for fact in derive:
                engine.declare(Derived(name=fact))

    action.__name__ = rule_id
    action.__qualname__ = rule_id
    return action


class CompiledNetwork:
    """A knowledge base compiled into experta; one engine instance per thread."""

    def __init__(self, kb: KnowledgeBase) -> None:
        compiler = _Compiler(kb)
        layers = strata(kb.rules)
        top = max(layers.values(), default=0)
        members: dict[str, Any] = {}
        for rule in kb.rules:
            lhs = compiler.pattern(_push_not(rule.when))
            members[rule.id] = ExpertaRule(lhs, salience=top - layers[rule.id])(
                _action(rule.id, rule.then.derive))
        self.engine_class: type = type("TriageEngine", (KnowledgeEngine,), members)
        self._local = threading.local()

    def _engine(self) -> Any:
        engine = getattr(self._local, "engine", None)
        if engine is None:
            engine = self.engine_class()
            self._local.engine = engine
        return engine

    def run(self, answers: Mapping[str, AnswerValue]) -> RunResult:
        engine = self._engine()
        engine.reset()
        engine.fired_ids = {}
        engine.declare(Answers(**answers))
        engine.run()
        derived = frozenset(fact["name"] for fact in engine.facts.values()
                            if isinstance(fact, Derived))
        return RunResult(tuple(engine.fired_ids), derived)
