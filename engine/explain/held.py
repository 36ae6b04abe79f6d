"""Which parts of a condition held: the one walk every explanation starts from.

The short reasons of a trace, the chain behind a result and the "how we got here" summary all
answer the same question about a fired rule: which of its tests made its condition true? They
differ only in how they word the answer, so the walk lives here once and each caller words it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from engine.conditions import answer_matches, evaluate
from engine.model import AnswerTest, AnswerValue, Condition, FactTest, NotOf

#: A part of a condition that held on its own: an answer test that matched, a derived fact that
#: was present, or a ``not`` whose part was false (it is kept whole: an absence has no answers).
HeldPart = AnswerTest | FactTest | NotOf


def held_parts(condition: Condition, answers: Mapping[str, AnswerValue],
               facts: frozenset[str] | set[str]) -> Iterator[HeldPart]:
    """The tests that made a (true) condition true, in the order they are written.

    ``all`` and ``any`` are looked into, keeping only their parts that held; a part may appear
    more than once (the same test written twice), so callers drop repeats as they word them.
    """
    if isinstance(condition, AnswerTest):
        if answer_matches(condition, answers.get(condition.question)):
            yield condition
    elif isinstance(condition, FactTest):
        if condition.fact in facts:
            yield condition
    elif isinstance(condition, NotOf):
        if not evaluate(condition.part, answers, facts):
            yield condition
    else:
        for part in condition.parts:
            if evaluate(part, answers, facts):
                yield from held_parts(part, answers, facts)
