"""Why a result came out as it did, as a structure every explanation renderer shares.

``engine.explain.reasons`` gives each fired rule's reasons as short strings; explanations, reports
and pictures need more: which question and answer, which derived fact and which rules derived it, in
turn, down to the answers. This module builds that chain once, from an Assessment, so the tree on
screen, the report and the graph cannot tell different stories.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine.explain.held import held_parts
from engine.explain.words import absence
from engine.model import (
    AnswerTest,
    AnswerValue,
    Assessment,
    Condition,
    FactTest,
    KnowledgeBase,
    Level,
    NotOf,
    Question,
    ReadingItem,
    Rule,
)


@dataclass(frozen=True)
class AnswerReason:
    """A given answer that satisfied part of a rule's condition."""

    question: Question
    value: AnswerValue

    @property
    def label(self) -> str:
        return self.question.answer_text(self.value)


@dataclass(frozen=True)
class FactReason:
    """A derived fact the rule needed, with the fired rules that derived it."""

    fact: str
    derived_by: tuple[RuleReason, ...]


@dataclass(frozen=True)
class AbsenceReason:
    """A ``not`` part that held: something that was not answered or not concluded."""

    condition: NotOf

    @property
    def text(self) -> str:
        return absence(self.condition)


#: A part of a rule's condition that held, as the chain records it (see engine.explain.held).
PartReason = AnswerReason | FactReason | AbsenceReason


@dataclass(frozen=True)
class RuleReason:
    """A fired rule and the parts of its condition that held."""

    rule: Rule
    reasons: tuple[PartReason, ...]


@dataclass(frozen=True)
class TopicReason:
    """A reading topic and the fired rules that offered it."""

    item: ReadingItem
    offered_by: tuple[RuleReason, ...]


@dataclass(frozen=True)
class AdviceReason:
    """Guidance given by a fired rule that sets no level (levels carry their own guidance)."""

    text: str
    given_by: tuple[RuleReason, ...]


@dataclass(frozen=True)
class Why:
    """The whole chain behind an Assessment: urgency, reading and other advice, each to answers."""

    level: Level
    #: Fired rules that reached the final level (empty: no rule set a level; the default holds).
    raised_by: tuple[RuleReason, ...]
    #: Fired rules that reached a lower level than the final one (outranked).
    outranked: tuple[RuleReason, ...]
    reading: tuple[TopicReason, ...]
    advice: tuple[AdviceReason, ...]

    def rules(self) -> set[str]:
        """Every rule id that appears anywhere in the chain."""
        found: set[str] = set()

        def walk(node: RuleReason) -> None:
            found.add(node.rule.id)
            for reason in node.reasons:
                if isinstance(reason, FactReason):
                    for deriver in reason.derived_by:
                        walk(deriver)

        for group in (self.raised_by, self.outranked,
                      *(t.offered_by for t in self.reading), *(a.given_by for a in self.advice)):
            for node in group:
                walk(node)
        return found


class _Builder:
    """Expands fired rules into RuleReason chains against one assessment."""

    def __init__(self, kb: KnowledgeBase, assessment: Assessment) -> None:
        self.kb = kb
        self.answers: Mapping[str, AnswerValue] = assessment.answers
        self.facts = assessment.derived
        self.fired = [step.rule for step in assessment.trace]

    def rule(self, rule: Rule, seen: frozenset[str] = frozenset()) -> RuleReason:
        seen = seen | {rule.id}
        return RuleReason(rule, tuple(self.reasons(rule.when, seen)))

    def reasons(self, condition: Condition, seen: frozenset[str]) -> list[PartReason]:
        found: list[PartReason] = []
        for part in held_parts(condition, self.answers, self.facts):
            reason: PartReason
            if isinstance(part, AnswerTest):
                reason = AnswerReason(self.kb.question(part.question), self.answers[part.question])
            elif isinstance(part, FactTest):
                reason = FactReason(part.fact, tuple(
                    self.rule(r, seen) for r in self.fired
                    if part.fact in r.then.derive and r.id not in seen))
            else:
                reason = AbsenceReason(part)
            if reason not in found:
                found.append(reason)
        return found


def why(kb: KnowledgeBase, assessment: Assessment) -> Why:
    """The reasoning behind an assessment, from its urgency and reading down to the answers."""
    build = _Builder(kb, assessment)
    level = assessment.level
    raised = tuple(build.rule(r) for r in build.fired if r.then.level == level.id)
    outranked = tuple(build.rule(r) for r in build.fired
                      if r.then.level and r.then.level != level.id)
    reading = tuple(
        TopicReason(item, tuple(build.rule(r) for r in build.fired if item.id in r.then.reading))
        for item in assessment.reading)
    advice = tuple(
        AdviceReason(text, tuple(build.rule(r) for r in build.fired
                                 if r.then.guidance == text and not r.then.level))
        for text in assessment.guidance
        if any(r.then.guidance == text and not r.then.level for r in build.fired))
    return Why(level, raised, outranked, reading, advice)


def fired_reasons(kb: KnowledgeBase, assessment: Assessment) -> tuple[RuleReason, ...]:
    """Every fired rule with its reasons, in trace order (including rules that only derive)."""
    build = _Builder(kb, assessment)
    return tuple(build.rule(r) for r in build.fired)


def answers_behind(node: RuleReason) -> tuple[AnswerReason, ...]:
    """Every answer a rule rests on, directly or through the facts it needed, without repeats."""
    found: list[AnswerReason] = []

    def walk(current: RuleReason) -> None:
        for reason in current.reasons:
            if isinstance(reason, AnswerReason) and reason not in found:
                found.append(reason)
            elif isinstance(reason, FactReason):
                for deriver in reason.derived_by:
                    walk(deriver)

    walk(node)
    return tuple(found)
