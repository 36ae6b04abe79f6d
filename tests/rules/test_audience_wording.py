"""No question says "you" to a parent or carer about someone else (issue 14, audience wording).

A question asked both of someone answering for themselves and of someone answering for another
person must word every text that says "you" or "your" by audience: otherwise a parent answering
for a baby reads "Do your muscles ache?". This test finds any such text, so the gap cannot reopen
when a question is added or edited. A question asked only of one audience other than ``self``
(the baby questions, say) is written for that reader, whose "you" is the parent.
"""

from __future__ import annotations

import re

import pytest

from engine.model import (
    AUDIENCE_QUESTION,
    AUDIENCES,
    AllOf,
    AnswerTest,
    AnyOf,
    Audience,
    Condition,
    KnowledgeBase,
    NotOf,
    Question,
)

YOU = re.compile(r"\byou(?:r|rs|rself)?\b", re.IGNORECASE)


def may_be_asked_for(condition: Condition | None, audience: Audience) -> bool:
    """False only when the answer to ``who`` alone rules the question out for this audience."""
    if condition is None:
        return True
    if isinstance(condition, AnswerTest):
        return condition.question != AUDIENCE_QUESTION or audience in condition.values
    if isinstance(condition, AllOf):
        return all(may_be_asked_for(part, audience) for part in condition.parts)
    if isinstance(condition, AnyOf):
        return any(may_be_asked_for(part, audience) for part in condition.parts)
    if isinstance(condition, NotOf) and isinstance(condition.part, AnswerTest) \
            and condition.part.question == AUDIENCE_QUESTION:
        return audience not in condition.part.values
    return True  # a fact, or a `not` of something else: cannot be ruled out by `who`


def reader_texts(question: Question) -> dict[str, str]:
    """Every text a reader sees for one question, by where it is."""
    texts = {"text": question.text, "why": question.why}
    texts.update({f"option {option.value}": option.label for option in question.options})
    return texts


def unworded_you(kb: KnowledgeBase) -> list[str]:
    """Texts that say "you"/"your" the same way to oneself and to someone answering for another."""
    gaps = []
    for question in kb.questions:
        audiences = [a for a in AUDIENCES if may_be_asked_for(question.ask_if, a)]
        if "self" not in audiences or question.id == AUDIENCE_QUESTION:
            continue  # written for its one kind of reader, or asked before anyone is known
        own = reader_texts(question)
        for audience in audiences:
            if audience == "self":
                continue
            theirs = reader_texts(kb.for_audience(audience).question(question.id))
            for where, text in theirs.items():
                if YOU.search(text) and text == own[where]:
                    gaps.append(f"{question.id} {where} [{audience}]: {text}")
    return gaps


def test_no_question_says_you_about_someone_else(kb: KnowledgeBase) -> None:
    gaps = unworded_you(kb)
    assert not gaps, "word these by audience (see docs/knowledge-base.md):\n" + "\n".join(gaps)


def test_the_check_finds_an_unworded_text(kb: KnowledgeBase) -> None:
    """Not vacuous: a question that says "your" to everyone is caught for each other audience."""
    from dataclasses import replace

    question = kb.question("muscle_pain")
    plain = replace(question, text="Do your muscles ache?")
    family = {a: replace(kb.for_audience(a), questions=tuple(
        plain if q.id == question.id else q for q in kb.for_audience(a).questions))
        for a in AUDIENCES}
    edited = family["self"]
    object.__setattr__(edited, "_family", family)
    gaps = set(unworded_you(edited)) - set(unworded_you(kb))
    assert sorted(gap.split(":")[0] for gap in gaps) == sorted(
        f"muscle_pain text [{a}]" for a in AUDIENCES if a != "self")


@pytest.mark.parametrize(("condition", "audience", "expected"), [
    (None, "baby", True),
    (AnswerTest("who", frozenset({"baby"})), "baby", True),
    (AnswerTest("who", frozenset({"baby"})), "self", False),
    (NotOf(AnswerTest("who", frozenset({"baby"}))), "baby", False),
    (AllOf((AnswerTest("other_illness", frozenset({"cancer"}), "includes"),
            AnswerTest("who", frozenset({"self", "adult"}), "in"))), "child", False),
    (AnyOf((AnswerTest("who", frozenset({"child"})),
            AnswerTest("age", frozenset({"75_or_over"}), "in"))), "self", True),
])
def test_who_rules_out_only_what_it_can(condition: Condition | None, audience: Audience,
                                        expected: bool) -> None:
    assert may_be_asked_for(condition, audience) is expected
