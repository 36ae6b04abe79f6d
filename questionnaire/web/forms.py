"""The answers so far as hidden form fields, and back: the web pages keep no state of their own.

Every page that carries answers writes them into its form as hidden fields, one per chosen value
(``answer.ID``; a several-of question answered "none of these" is one empty field). The next POST
brings them back; they are read by the same answers reader as ``assess --answers`` and then
replayed through the questionnaire's own flow (questionnaire/flow.py), so a tampered or stale
form fails exactly where a bad answers file or an impossible walk would, naming the question.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from engine.model import (
    AllOf,
    AnswerValue,
    AnyOf,
    Assessment,
    Condition,
    FactTest,
    KnowledgeBase,
    NotOf,
    Question,
)
from engine.run.answers import AnswerError, normalise_answer, normalise_answers
from engine.run.assess import add_safety_net, assess, fold
from questionnaire.flow import Questionnaire

ANSWER = "answer."
REMEMBERED = "remembered."
#: The value of the checkbox that answers a several-of question with "none of these". It shares
#: the options' field name (one group for assistive technology); option values never contain a
#: hyphen (the schema's id pattern), so it cannot be an option.
NONE_CHOSEN = "none-of-these"
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


def rises_only(kb: KnowledgeBase) -> bool:
    """Whether more answers can only add to what reaches the highest level, never take away.

    True when no rule that reaches the highest level needs anything absent (no ``not``),
    directly or through the rules deriving the facts it reads. Then the answers so far reach
    that level as soon as any shorter run of them did, which lets ``replay`` skip assessing every
    step (see there). A knowledge base where it is false is replayed step by step.
    """
    top = kb.levels[0].id
    derivers: dict[str, list[Condition]] = {}
    for rule in kb.rules:
        for fact in rule.then.derive:
            derivers.setdefault(fact, []).append(rule.when)
    seen: set[str] = set()

    def positive(condition: Condition) -> bool:
        if isinstance(condition, NotOf):
            return False
        if isinstance(condition, (AllOf, AnyOf)):
            return all(positive(part) for part in condition.parts)
        if isinstance(condition, FactTest):
            if condition.fact in seen:
                return True
            seen.add(condition.fact)
            return all(positive(when) for when in derivers.get(condition.fact, []))
        return True

    return all(positive(rule.when) for rule in kb.rules if rule.then.level == top)


def steering(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Assessment:
    """An assessment without its safety net: all a walk needs to know whether it ended early.

    The flow's question pages use it; a page that shows a result uses ``shown`` (the safety net
    was two thirds of a question page's assessment: engine/run/assess.py).
    """
    return assess(kb, answers, with_safety_net=False)


def starting_point(kb: KnowledgeBase) -> Assessment:
    """The assessment of no answers, which the stand-in assessor of ``replay`` hands back."""
    return fold(kb, {}, frozenset(), frozenset())


def replay(kb: KnowledgeBase, pairs: list[tuple[str, str]], rising: bool = False,
           settled: bool = True, start: Assessment | None = None) -> Questionnaire:
    """The questionnaire as the form left it: every answer given again, in order, to the flow.

    An answer to a question the flow would not ask at that point (one that does not apply, or
    one after an answer that ended the questions) is refused, naming that question.

    The flow assesses after every answer to see whether the walk ended early; replaying a whole
    form that way cost 2.7 ms an answer (73 ms for the last page of a 27-question walk, measured
    on the shipped rules). With ``rising`` (see rises_only), the flow walks with a stand-in
    assessor that never ends early (handing back ``start``, the assessment of no answers, made
    once at start-up by the caller), the whole set is assessed once, and only when it reaches
    the highest level are shorter runs assessed, halving the range each time, to find the answer
    that reached it first: that one must be the last. A page then costs one assessment.

    ``settled=False`` (with ``rising``) leaves even that one to the caller, who is about to add
    an answer: ``answered`` then checks the longer run, which reaches the highest level whenever
    the shorter one did. A question page then costs one assessment instead of two.

    The run is assessed with ``steering`` (no safety net); ``shown`` gives the assessment a
    result page shows.
    """
    answers = read_fields(kb, pairs)
    if rising:
        first = start if start is not None else starting_point(kb)
        run = Questionnaire(kb, assessor=lambda _kb, _answers: first)
    else:
        run = Questionnaire(kb, assessor=steering)
    for question_id, value in answers.items():
        current = run.current()
        if current is None or current.id != question_id:
            raise _misfit(question_id)
        run.answer(value)
    run.remembered.update(read_fields(kb, pairs, REMEMBERED))
    for question_id in run.answers:
        run.remembered.pop(question_id, None)
    if rising:
        run.assessor = steering
        if settled:
            settle(run)
    return run


def shown(run: Questionnaire) -> Assessment:
    """The run's assessment as a result, download or explanation shows it: with its safety net.

    A replayed walk was assessed with ``steering``; its last assessment gets its safety net
    here, without running the rules again.
    """
    if run.assessor is not assess:
        run.assessor = assess
        if run.result is not None:
            run.result = add_safety_net(run.kb, run.result)
    return run.final()


def settle(run: Questionnaire) -> None:
    """Assess a replayed run whose last assessment was left out (see replay)."""
    run.result = run.assessor(run.kb, run.answers) if run.answers else None
    answered(run)


def answered(run: Questionnaire) -> None:
    """After an answer to a run replayed unsettled: refuse it if the walk had already ended."""
    if run.ended_early:
        _check_first_to_reach_top(run.kb, list(run.answers.items()))


def _misfit(question_id: str) -> AnswerError:
    return AnswerError(f"question '{question_id}': this answer does not fit the answers before "
                       "it (the questions would not ask it there)", question_id)


def _check_first_to_reach_top(kb: KnowledgeBase, items: list[tuple[str, AnswerValue]]) -> None:
    """The first answer whose run reaches the highest level must be the last answer."""
    top = kb.levels[0].id
    low, high = 1, len(items)  # the whole run (high) reaches it
    while low < high:
        middle = (low + high) // 2
        if steering(kb, dict(items[:middle])).level.id == top:
            high = middle
        else:
            low = middle + 1
    if high < len(items):
        raise _misfit(items[high][0])


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
    replies = [value for name, value in pairs if name == REPLY]
    none = NONE_CHOSEN in replies
    chosen = [value for value in replies if value != NONE_CHOSEN]
    if question.kind == "several_of":
        if none and chosen:
            raise ReplyProblem("Choose the options that apply, or “None of these”, not both.")
        if not chosen and not none:
            raise ReplyProblem("Choose at least one option, or “None of these”.")
        # "Not sure", "Does not apply" or "None of these" with others: the page asks again
        # (before normalise_answer, which refuses the same ticks from a file outright)
        clash = question.combination_problem(tuple(chosen))
        if clash:
            raise ReplyProblem(clash[0].upper() + clash[1:] + ".")
        return normalise_answer(question, chosen)
    if not chosen:
        raise ReplyProblem("Choose an answer.")
    return normalise_answer(question, chosen if len(chosen) > 1 else chosen[0])
