"""The path a questionnaire takes for given answers, worked out independently of questionnaire/.

Tests that drive a front end need to know which questions will be asked, in what order, to type
the right keys. This walks the bank with the engine's own condition evaluation, so the flow
module under test does not decide its own expected path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from engine.conditions import evaluate
from engine.model import AnswerValue, KnowledgeBase, Question


def calm_default(question: Question) -> AnswerValue:
    """No to a yes/no question, none of a several-of list (as every front end records it:
    ``Question.none_chosen``), the first option of a one-of, except the slowest onset (its first
    option, "suddenly", is an emergency that ends the questions)."""
    if question.kind == "yes_no":
        return "no"
    if question.kind == "several_of":
        return question.none_chosen
    return SLOWEST_ONSET if SLOWEST_ONSET in question.values else question.values[0]


#: The calm answer to onset.
SLOWEST_ONSET = "over_months"


def answer_path(kb: KnowledgeBase, wanted: Mapping[str, AnswerValue]
                ) -> list[tuple[Question, AnswerValue]]:
    """Each question that would be asked, in order, with ``wanted`` or its calm default."""
    answers: dict[str, AnswerValue] = {}
    path = []
    for question in kb.questions:
        if question.ask_if is not None and not evaluate(question.ask_if, answers):
            continue
        answers[question.id] = wanted.get(question.id, calm_default(question))
        path.append((question, answers[question.id]))
    return path


def each_answer_alone(kb: KnowledgeBase) -> Iterator[tuple[Question, str, dict[str, AnswerValue]]]:
    """Every value of every question, given alone among a calm walk's answers: the question, the
    value, and the whole answer set."""
    calm = {q.id: v for q, v in answer_path(kb, {})}
    for question in kb.questions:
        for value in question.values:
            answer = (value,) if question.kind == "several_of" else value
            yield question, value, {**calm, question.id: answer}
