"""Why (not): a rule's condition as a tree, each part marked held, failed or unknown.

``explain`` says why a rule fired; the question asked next is why one did not (the odoyle-rules
users call it "possibly the most difficult thing of all"). The condition language is closed, so
the answer is exact: every part of the condition is evaluated against the answers and the derived
facts of one assessment, and a derived fact the rule needed is expanded into the rules that could
derive it, each marked in turn, so the tree goes down to the answers.

Marks, with ``held`` exactly when the plain evaluator (engine.conditions.evaluate) says true:

- an answer test on a question that was answered: held or failed;
- on a question not answered: unknown, noting whether it was simply not answered or not asked
  (its ask_if was false, so an answer to it would be set aside);
- a fact: held when derived; when not, failed if every rule that derives it failed, unknown if
  one of them is unknown (so an answer could still change it);
- ``not``: held when its part is failed or unknown (an unanswered test never holds, so its
  negation does), failed when its part held;
- ``all``: failed if a part failed, else unknown if a part is unknown, else held; ``any`` the
  other way round.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from engine.conditions import answer_matches, evaluate
from engine.model import (
    AllOf,
    AnswerTest,
    AnswerValue,
    Assessment,
    Condition,
    FactTest,
    KnowledgeBase,
    NotOf,
    Rule,
)

Mark = Literal["held", "failed", "unknown"]
#: Why a leaf has its mark: answered, not_answered, not_asked (ask_if false), derived,
#: not_derived, or "" for all/any/not.
Because = Literal["answered", "not_answered", "not_asked", "derived", "not_derived", ""]


@dataclass(frozen=True)
class MarkedCondition:
    """One part of a condition with its mark; a fact part carries the rules that derive it."""

    condition: Condition
    mark: Mark
    because: Because = ""
    #: The answer given, for an answer test on an answered question.
    answer: AnswerValue | None = None
    parts: tuple[MarkedCondition, ...] = ()
    derived_by: tuple[MarkedRule, ...] = ()


@dataclass(frozen=True)
class MarkedRule:
    """A rule, whether it fired, and its condition marked part by part.

    ``repeated`` is set when the rule was already expanded higher up the tree (or is a cycle back
    to a rule being expanded): its condition is then marked at the top only.
    """

    rule: Rule
    fired: bool
    condition: MarkedCondition
    repeated: bool = False

    @property
    def mark(self) -> Mark:
        return self.condition.mark


def _combine(marks: list[Mark], all_of: bool) -> Mark:
    decisive: Mark = "failed" if all_of else "held"
    if decisive in marks:
        return decisive
    if "unknown" in marks:
        return "unknown"
    return "held" if all_of else "failed"


class _Marker:
    """Marks conditions against one assessment's answers and derived facts."""

    def __init__(self, kb: KnowledgeBase, assessment: Assessment) -> None:
        self.kb = kb
        self.answers: Mapping[str, AnswerValue] = assessment.answers
        self.facts = assessment.derived
        self.fired = assessment.fired
        self.expanded: set[str] = set()
        self.fact_marks: dict[str, Mark] = {}
        self.in_progress: set[str] = set()

    def rule(self, rule: Rule, seen: frozenset[str] = frozenset()) -> MarkedRule:
        repeated = rule.id in self.expanded or rule.id in seen
        self.expanded.add(rule.id)
        marked = self.condition(rule.when, seen | {rule.id}, expand=not repeated)
        return MarkedRule(rule, rule.id in self.fired, marked, repeated)

    def condition(self, condition: Condition, seen: frozenset[str],
                  expand: bool = True) -> MarkedCondition:
        if isinstance(condition, AnswerTest):
            return self.answer(condition)
        if isinstance(condition, FactTest):
            return self.fact(condition, seen, expand)
        if isinstance(condition, NotOf):
            part = self.condition(condition.part, seen, expand)
            return MarkedCondition(condition, "failed" if part.mark == "held" else "held",
                                   parts=(part,))
        parts = tuple(self.condition(part, seen, expand) for part in condition.parts)
        return MarkedCondition(condition, _combine([p.mark for p in parts],
                                                   isinstance(condition, AllOf)), parts=parts)

    def answer(self, test: AnswerTest) -> MarkedCondition:
        value = self.answers.get(test.question)
        if value is not None:
            return MarkedCondition(test, "held" if answer_matches(test, value) else "failed",
                                   "answered", value)
        ask_if = self.kb.question(test.question).ask_if
        asked = ask_if is None or evaluate(ask_if, self.answers)
        return MarkedCondition(test, "unknown", "not_answered" if asked else "not_asked")

    def fact(self, test: FactTest, seen: frozenset[str], expand: bool) -> MarkedCondition:
        derivers = [rule for rule in self.kb.rules if test.fact in rule.then.derive]
        if test.fact in self.facts:
            marked = tuple(self.rule(r, seen) for r in derivers if r.id in self.fired) \
                if expand else ()
            return MarkedCondition(test, "held", "derived", derived_by=marked)
        return MarkedCondition(test, self.fact_mark(test.fact), "not_derived",
                               derived_by=tuple(self.rule(r, seen) for r in derivers)
                               if expand else ())

    def fact_mark(self, fact: str) -> Mark:
        """An underived fact: unknown if a rule that derives it is unknown, else failed.

        Computed once per fact; a fact met again while its own mark is being worked out (a
        cycle) counts as failed there, as a fact cannot support itself.
        """
        if fact in self.fact_marks:
            return self.fact_marks[fact]
        if fact in self.in_progress:
            return "failed"
        self.in_progress.add(fact)
        marks = [self.condition(rule.when, frozenset(), expand=False).mark
                 for rule in self.kb.rules if fact in rule.then.derive]
        self.in_progress.discard(fact)
        mark: Mark = "unknown" if "unknown" in marks else "failed"
        self.fact_marks[fact] = mark
        return mark


def why_not(kb: KnowledgeBase, assessment: Assessment, rule_id: str) -> MarkedRule:
    """The named rule's condition marked against an assessment (fired or not)."""
    return _Marker(kb, assessment).rule(kb.rule(rule_id))


def walk(node: MarkedCondition) -> list[MarkedCondition]:
    """Every marked part under a node (itself first), through the rules that derive facts."""
    found = [node]
    for part in node.parts:
        found += walk(part)
    for rule in node.derived_by:
        found += walk(rule.condition)
    return found


def holding_back(marked: MarkedRule) -> tuple[MarkedCondition, ...]:
    """The parts that kept a rule silent: those of its top-level ``all`` not held, or its whole
    condition when that is not an ``all``; () for a rule that fired."""
    if marked.fired:
        return ()
    top = marked.condition
    if isinstance(top.condition, AllOf):
        return tuple(part for part in top.parts if part.mark != "held")
    return (top,)


def silent_rules(kb: KnowledgeBase, assessment: Assessment) -> tuple[MarkedRule, ...]:
    """Every rule that stayed silent, marked, in knowledge base order: a failed one was ruled
    out by the answers given (or a fact not derived); an unknown one waits on a question left
    unanswered or not asked, so another answer could still start it."""
    return tuple(why_not(kb, assessment, rule.id) for rule in kb.rules
                 if rule.id not in assessment.fired)
