"""The answers so far as hidden form fields, and back: the web pages keep no state of their own.

Every page that carries answers writes them into its form as hidden fields, one per chosen value
(``answer.ID``; a several-of question answered "none of these" is one empty field). The next POST
brings them back; they are read by the same answers reader as ``assess --answers`` and then
replayed through the questionnaire's own flow (questionnaire/flow.py), so a tampered or stale
form fails exactly where a bad answers file or an impossible walk would, naming the question.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from engine.model import AnswerValue, KnowledgeBase, Question
from engine.run.answers import AnswerError, normalise_answer, normalise_answers
from questionnaire.flow import Questionnaire

ANSWER = "answer."
REMEMBERED = "remembered."
#: The checkbox that answers a several-of question with "none of these".
NONE_CHOSEN = "none_chosen"
#: Field names a question page submits for the current question.
REPLY = "reply"
QUESTION = "question"


class Hidden(NamedTuple):
    """One hidden input of a form."""

    name: str
    value: str


def _raw(kb: KnowledgeBase, pairs: Iterable[tuple[str, str]], prefix: str) -> dict[str, object]:
    """Fields with ``prefix`` grouped by question id, as an answers file would spell them."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        if name.startswith(prefix):
            grouped.setdefault(name[len(prefix):], []).append(value)
    raw: dict[str, object] = {}
    for question_id, values in grouped.items():
        if kb.has_question(question_id) and kb.question(question_id).kind == "several_of":
            raw[question_id] = [value for value in values if value != ""]
        elif len(values) == 1:
            raw[question_id] = values[0]
        else:
            raw[question_id] = values  # the answers reader refuses a list for one answer
    return raw


def in_asking_order(kb: KnowledgeBase, answers: dict[str, AnswerValue]
                    ) -> dict[str, AnswerValue]:
    return {q.id: answers[q.id] for q in kb.questions if q.id in answers}


def read_fields(kb: KnowledgeBase, pairs: Iterable[tuple[str, str]], prefix: str = ANSWER
                ) -> dict[str, AnswerValue]:
    """Checked answers from form fields (AnswerError naming the question for a bad one)."""
    return in_asking_order(kb, normalise_answers(kb, _raw(kb, list(pairs), prefix)))


def replay(kb: KnowledgeBase, pairs: list[tuple[str, str]]) -> Questionnaire:
    """The questionnaire as the form left it: every answer given again, in order, to the flow.

    An answer to a question the flow would not ask at that point (one that does not apply, or
    one after an answer that ended the questions) is refused, naming that question.
    """
    run = Questionnaire(kb)
    for question_id, value in read_fields(kb, pairs).items():
        current = run.current()
        if current is None or current.id != question_id:
            raise AnswerError(f"question '{question_id}': this answer does not fit the answers "
                              "before it (the questions would not ask it there)", question_id)
        run.answer(value)
    run.remembered.update(read_fields(kb, pairs, REMEMBERED))
    for question_id in run.answers:
        run.remembered.pop(question_id, None)
    return run


def hidden_fields(answers: dict[str, AnswerValue],
                  remembered: dict[str, AnswerValue] | None = None) -> list[Hidden]:
    """The hidden inputs that carry answers (and remembered suggestions) to the next page."""
    fields: list[Hidden] = []
    for prefix, mapping in ((ANSWER, answers), (REMEMBERED, remembered or {})):
        for question_id, value in mapping.items():
            if isinstance(value, str):
                fields.append(Hidden(prefix + question_id, value))
            elif value:
                fields += [Hidden(prefix + question_id, item) for item in value]
            else:
                fields.append(Hidden(prefix + question_id, ""))
    return fields


class ReplyProblem(ValueError):
    """The person submitted the question page without a usable answer; the message says why."""


def read_reply(question: Question, pairs: list[tuple[str, str]]) -> AnswerValue:
    """The answer to the question on the page, checked as an answers file would be."""
    chosen = [value for name, value in pairs if name == REPLY]
    none = any(name == NONE_CHOSEN for name, _ in pairs)
    if question.kind == "several_of":
        if none and chosen:
            raise ReplyProblem("Choose the options that apply, or “None of these”, not both.")
        if not chosen and not none:
            raise ReplyProblem("Choose at least one option, or “None of these”.")
        return normalise_answer(question, chosen)
    if not chosen:
        raise ReplyProblem("Choose an answer.")
    return normalise_answer(question, chosen if len(chosen) > 1 else chosen[0])
