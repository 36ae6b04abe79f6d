"""A short "how we got here" for the person who just answered: the answers behind the result.

`assess` prints the full trace (rule ids, derived facts) for people checking the rules. After the
questionnaire the reader wants less: which of their own answers led to this advice, in their own
words, and the titles of the rules that applied. The answers are the answer tests that held in
each fired rule's condition (engine.explain.held).
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from engine.explain.held import held_parts
from engine.model import AnswerTest, Assessment, KnowledgeBase
from questionnaire.render.result import bullet

#: Question texts longer than this are shortened in the summary (the full text was just asked).
SHORT_TEXT = 90
#: Said when no answer matched a rule: about the tool's mechanism, so it lives here, shared by the
#: terminal and the web result.
NO_RULE_MATCHED = "None of your answers matched a rule, so the result is the starting level."


def questions_behind(kb: KnowledgeBase, assessment: Assessment) -> list[str]:
    """Ids of the answered questions behind the fired rules, in asking order.

    Every fired rule is in the trace, the rules that derived a needed fact included, so the answers
    behind a fact are found through the rule that derived it; a ``not`` part names no answer.
    """
    found = {part.question for step in assessment.trace
             for part in held_parts(step.rule.when, assessment.answers, assessment.derived)
             if isinstance(part, AnswerTest)}
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
    behind = questions_behind(kb, assessment)
    if not behind:
        bullet(console, NO_RULE_MATCHED)
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
