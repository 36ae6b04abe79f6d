"""A short "how we got here" for the person who just answered: the answers behind the result.

`assess` prints the full trace (rule ids, derived facts) for people checking the rules. After the
questionnaire the reader wants less: which of their own answers led to this advice, in their own
words, and the titles of the rules that applied. The answers are found by walking each fired
rule's condition and keeping only the answer tests that held.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from rich.console import Console
from rich.markup import escape

from engine.conditions import answer_matches, evaluate
from engine.model import (
    AllOf,
    AnswerTest,
    AnswerValue,
    AnyOf,
    Assessment,
    Condition,
    KnowledgeBase,
)
from questionnaire.render.result import bullet

#: Question texts longer than this are shortened in the summary (the full text was just asked).
SHORT_TEXT = 90


def _answers_that_held(condition: Condition, answers: Mapping[str, AnswerValue],
                       facts: frozenset[str]) -> Iterator[str]:
    """Question ids whose answers helped make a (true) condition true; `not` parts name none."""
    if isinstance(condition, AnswerTest):
        if answer_matches(condition, answers.get(condition.question)):
            yield condition.question
    elif isinstance(condition, (AllOf, AnyOf)):
        for part in condition.parts:
            if evaluate(part, answers, facts):
                yield from _answers_that_held(part, answers, facts)


def answers_behind(kb: KnowledgeBase, assessment: Assessment) -> list[str]:
    """Ids of the answered questions behind the fired rules, in asking order."""
    found: set[str] = set()
    for step in assessment.trace:
        found.update(_answers_that_held(step.rule.when, assessment.answers, assessment.derived))
    return [question.id for question in kb.questions if question.id in found]


def shorten(text: str, limit: int = SHORT_TEXT) -> str:
    """The first sentence of a question, cut at a word boundary when still long."""
    stops = [text.index(stop) for stop in ("?", ":") if stop in text]
    if stops:
        text = text[: min(stops) + 1]
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;") + " ..."


def render_how_we_got_here(kb: KnowledgeBase, assessment: Assessment, console: Console) -> None:
    """The answers behind the result, then the rules that applied (titles only)."""
    console.print("[bold]How we got here[/]")
    behind = answers_behind(kb, assessment)
    if not behind:
        bullet(console, "None of your answers matched a rule, so the result is the starting "
                        "level.")
    else:
        console.print("  Your answers that led to this result:")
        for question_id in behind:
            words = kb.question(question_id).answer_text(assessment.answers[question_id])
            bullet(console, f"{escape(shorten(kb.question(question_id).text))} "
                            f"[bold]{escape(words)}[/]", indent=4)
    if assessment.trace:
        console.print("  Rules that applied:")
        for step in assessment.trace:
            bullet(console, escape(step.rule.title), indent=4)
