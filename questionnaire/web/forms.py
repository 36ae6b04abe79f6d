"""The answers so far as hidden form fields, and back: the web pages keep no state of their own.

Every page that carries answers writes them into its form as hidden fields, one per chosen value
(``answer.ID``; a several-of question answered "none of these" is one empty field). The next POST
brings them back; they are read by the same answers reader as ``assess --answers`` and then
replayed through the questionnaire's own flow (questionnaire/flow.py), so a tampered or stale
form fails exactly where a bad answers file or an impossible walk would, naming the question.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple
from urllib.parse import parse_qsl

from engine.conditions import answer_matches, leaves
from engine.model import (
    AllOf,
    AnswerTest,
    AnswerValue,
    AnyOf,
    Assessment,
    Condition,
    KnowledgeBase,
    NotOf,
    Question,
)
from engine.run.answers import AnswerError, normalise_answer, normalise_answers
from engine.run.assess import add_safety_net, assess, reaches_top, rules_behind_top
from questionnaire.flow import Assessor, NotAsked, Questionnaire

ANSWER = "answer."
REMEMBERED = "remembered."
#: The value of the checkbox that answers a several-of question with "none of these". It shares
#: the options' field name (one group for assistive technology); option values never contain a
#: hyphen (the schema's id pattern), so it cannot be an option.
NONE_CHOSEN = "none-of-these"
#: Field names a question page submits for the current question.
REPLY = "reply"
QUESTION = "question"


#: Most fields a form may have: a full walk with every option of every several-of question
#: ticked is under 200.
MAX_FIELDS = 500


def form_pairs(body: bytes) -> list[tuple[str, str]]:
    """A url-encoded form body as (name, value) pairs in order, as the standard library's
    ``parse_qsl`` reads it (percent and plus decoded as UTF-8, blank values kept); ValueError
    past MAX_FIELDS.

    Read with ``parse_qsl`` rather than Starlette's form parser (python-multipart): the same
    pairs, 0.02 ms instead of 0.2 ms for a mid-walk page. A body with nothing encoded in it
    (what our own pages post: ids and option values) is only split, which gives the same pairs
    (tests/questionnaire/web/test_forms.py holds it to ``parse_qsl``): the 35th question page
    then took 1.72 million instructions in-process instead of 1.93, a ninth less
    (tests/bench/web_instructions.py).
    """
    if body.count(b"&") >= MAX_FIELDS:
        raise ValueError(f"more than {MAX_FIELDS} fields")
    text = body.decode("latin-1")
    if "%" in text or "+" in text:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")
    return [(name, value)
            for name, _, value in (piece.partition("=") for piece in text.split("&") if piece)]


class Hidden(NamedTuple):
    """One hidden input of a form."""

    name: str
    value: str


def read_fields(kb: KnowledgeBase, pairs: Iterable[tuple[str, str]]
                ) -> tuple[dict[str, AnswerValue], dict[str, AnswerValue]]:
    """The checked answers and the remembered suggestions in form fields, each in asking order
    (AnswerError naming the question for a bad one), read in one pass over the fields."""
    grouped: dict[str, dict[str, list[str]]] = {ANSWER: {}, REMEMBERED: {}}
    for name, value in pairs:
        head, dot, question_id = name.partition(".")
        group = grouped.get(head + dot)
        if group is not None:
            group.setdefault(question_id, []).append(value)
    answers, remembered = (_checked(kb, grouped[ANSWER]), _checked(kb, grouped[REMEMBERED]))
    return answers, remembered


def _checked(kb: KnowledgeBase, grouped: dict[str, list[str]]) -> dict[str, AnswerValue]:
    """One group of fields, spelt as an answers file would spell them, read by the answers
    reader and put in asking order.

    Questions are found with ``questions_by_id.get`` and sorted by ``positions.__getitem__``
    (no call of ours per answer, here or in the reader): with replay touching the remembered
    suggestions only when a form carries some, the 35th question page took 1.34 million
    instructions in-process instead of 1.48, the 12th 0.78 instead of 0.85
    (tests/bench/web_instructions.py)."""
    raw: dict[str, object] = {}
    for question_id, values in grouped.items():
        if len(values) == 1 and values[0] != "":  # one value: the reader takes it for either kind
            raw[question_id] = values[0]
            continue
        question = kb.questions_by_id.get(question_id)
        if question is not None and question.kind == "several_of":
            raw[question_id] = [value for value in values if value != ""]
        else:
            raw[question_id] = values[0] if len(values) == 1 else values  # a list is refused
    checked = normalise_answers(kb, raw)
    return {question_id: checked[question_id]
            for question_id in sorted(checked, key=kb.positions.__getitem__)}


class EndScreen(NamedTuple):
    """What one rule that reaches the highest level needs of the answers before it can fire."""

    rule: str
    #: Answer tests every way of it holding includes: each must hold.
    needs: tuple[AnswerTest, ...]
    #: Every answer test in it, or behind the facts it reads: one at least must hold.
    reads: tuple[AnswerTest, ...]


#: One screen per rule that reaches the highest level (see ending_screens).
Ending = tuple[EndScreen, ...]


def ending_screens(kb: KnowledgeBase) -> Ending | None:
    """What each rule reaching the highest level needs of the answers, or None when more
    answers could also take that level away.

    Read from the rules that decide whether the highest level is reached (engine/run/assess.py
    rules_behind_top). When none of them needs anything absent (no ``not``: the knowledge base
    "rises only"), a rule reaching the highest level fires only if (1) every answer test that
    all its ways of holding include holds (``needs``: every part of an ``all``, what every branch
    of an ``any`` shares, what every rule deriving a fact it reads shares), and (2) some answer
    test in it or behind its facts holds (``reads``: a condition of ``all`` and ``any`` over
    answer tests that all fail, and over facts no rule can then derive, fails). Two short cuts
    follow. More answers can only add to what reaches the highest level, so a run of answers
    reaches it as soon as any shorter run of them did (``replay``); and answers that no screen
    lets through cannot have ended the walk, so no rule need run (``steer_by``).

    None when a ``not`` or an empty ``all`` stands among those rules, or the default level is the
    highest: then every step of a replay is assessed.
    """
    top = kb.levels[0].id
    if kb.default_level == top:
        return None
    behind = rules_behind_top(kb)
    derivers: dict[str, list[Condition]] = {}
    for rule in behind:
        for fact in rule.then.derive:
            derivers.setdefault(fact, []).append(rule.when)

    def needs(condition: Condition, seen: frozenset[str]) -> set[AnswerTest] | None:
        """The tests every way of ``condition`` holding includes (None: it holds a ``not``)."""
        if isinstance(condition, AnswerTest):
            return {condition}
        if isinstance(condition, NotOf) or (isinstance(condition, AllOf) and not condition.parts):
            return None
        if isinstance(condition, (AllOf, AnyOf)):
            found = [needs(part, seen) for part in condition.parts]
            if any(part is None for part in found):
                return None
            sets = [part for part in found if part is not None]
            if isinstance(condition, AllOf):
                return set().union(*sets)
            return set.intersection(*sets) if sets else set()
        if condition.fact in seen:  # a fact deriving itself adds nothing it needs
            return set()
        found = [needs(when, seen | {condition.fact}) for when in derivers.get(condition.fact, [])]
        if any(part is None for part in found):
            return None
        sets = [part for part in found if part is not None]
        return set.intersection(*sets) if sets else set()

    def reads(condition: Condition, seen: set[str]) -> list[AnswerTest]:
        found: list[AnswerTest] = []
        for leaf, _ in leaves(condition):
            if isinstance(leaf, AnswerTest):
                found.append(leaf)
            elif leaf.fact not in seen:
                seen.add(leaf.fact)
                for when in derivers.get(leaf.fact, []):
                    found += reads(when, seen)
        return found

    screens: list[EndScreen] = []
    for rule in behind:
        if rule.then.level != top:
            continue
        needed = needs(rule.when, frozenset())
        if needed is None:
            return None
        order = {test: index for index, test in enumerate(reads(rule.when, set()))}
        screens.append(EndScreen(rule.id, tuple(sorted(needed, key=lambda t: order.get(t, 0))),
                                 tuple(order)))
    return tuple(screens)


def could_end(ending: Ending, answers: Mapping[str, AnswerValue]) -> bool:
    """Whether some rule reaching the highest level could fire on these answers: every test it
    needs holds and some test it reads holds (see ending_screens)."""
    found = answers.get
    for screen in ending:  # plain loops: a question page asks this of every rule, every time
        for test in screen.needs:
            if not answer_matches(test, found(test.question)):
                break
        else:
            for test in screen.reads:
                if answer_matches(test, found(test.question)):
                    return True
    return False


def steering(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Assessment:
    """An assessment without its safety net: all a walk needs to know whether it ended early.

    The flow's question pages use it; a page that shows a result uses ``shown`` (the safety net
    was two thirds of a question page's assessment: engine/run/assess.py).
    """
    return assess(kb, answers, with_safety_net=False)


def steer_by(ending: Ending | None) -> Assessor:
    """The assessor a replayed walk steers by: the whole assessment (``steering``) once the
    answers reach the highest level, which ends the walk; None ("not assessed") before.

    Whether they reach it is asked of the rules that decide it alone (engine/run/assess.py
    reaches_top), and not at all for answers that no rule reaching it could fire on
    (ending_screens): on the simulated walks of tests/bench/web.py, 194 question pages of 195.
    At the 12th answer that saved the rule network's 0.28 ms of a 0.9 ms page; at the 35th of a
    walk with a muscle change, 0.66 ms of the 27 rules' network (tests/bench/web_parts.py).
    Either way only the experta network ends a walk, and what a page shows comes from the whole
    assessment (``shown``).
    """
    def steer(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Assessment | None:
        if ending is not None and not could_end(ending, answers):
            return None
        return steering(kb, answers) if reaches_top(kb, answers) else None

    return steer


def _not_assessed(_kb: KnowledgeBase, _answers: Mapping[str, AnswerValue]) -> None:
    return None


def replay(kb: KnowledgeBase, pairs: list[tuple[str, str]], ending: Ending | None = None,
           settled: bool = True) -> Questionnaire:
    """The questionnaire as the form left it: every answer given again, in order, to the flow.

    An answer to a question the flow would not ask at that point (one that does not apply, or
    one after an answer that ended the questions) is refused, naming that question.

    The flow assesses after every answer to see whether the walk ended early; replaying a whole
    form that way cost 2.7 ms an answer (73 ms for the last page of a 27-question walk, measured
    on the shipped rules). With ``ending`` (see ending_screens), the flow walks without
    assessing, the whole set is assessed once (when it could have ended the walk at all), and
    only when it reaches the highest level are shorter runs assessed, halving the range each
    time, to find the answer that reached it first: that one must be the last. A page then costs
    at most one assessment.

    ``settled=False`` (with ``ending``) leaves even that one to the caller, who is about to add
    an answer: ``answered`` then checks the longer run, which reaches the highest level whenever
    the shorter one did. A question page then costs one assessment instead of two.

    The run's assessments only steer it (no safety net, and None where none was needed):
    ``shown`` gives the assessment a page shows.
    """
    answers, remembered = read_fields(kb, pairs)
    run = Questionnaire(kb, assessor=steer_by(None) if ending is None else _not_assessed)
    try:
        run.resume(answers)
    except NotAsked as refused:
        raise _misfit(refused.question or "") from None
    if remembered:  # most forms carry none (see _checked)
        run.remembered.update(remembered)
        for question_id in run.answers:
            run.remembered.pop(question_id, None)
    if ending is not None:
        run.assessor = steer_by(ending)
        if settled:
            settle(run)
    return run


def shown(run: Questionnaire, with_safety_net: bool = True) -> Assessment:
    """The run's assessment as a result, download or explanation shows it: the rule network's,
    with its safety net (without, for a page that shows none).

    A replayed walk's last assessment is reused when it made one (its safety net added without
    running the rules again); when it made none, the rules run now.
    """
    result = run.result if run.result is not None else steering(run.kb, run.answers)
    return add_safety_net(run.kb, result) if with_safety_net else result


def settle(run: Questionnaire) -> None:
    """Steer a replayed run whose last assessment was left out (see replay)."""
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
    low, high = 1, len(items)  # the whole run (high) reaches it
    while low < high:
        middle = (low + high) // 2
        if reaches_top(kb, dict(items[:middle])):
            high = middle
        else:
            low = middle + 1
    if high < len(items):
        raise _misfit(items[high][0])


def hidden_pairs(answers: Mapping[str, AnswerValue],
                 remembered: Mapping[str, AnswerValue] | None = None
                 ) -> Iterator[tuple[str, str]]:
    """The (name, value) of each hidden input that carries answers (and remembered
    suggestions) to the next page: one per chosen value, one empty for "none of these"."""
    for prefix, mapping in ((ANSWER, answers), (REMEMBERED, remembered or {})):
        for question_id, value in mapping.items():
            if isinstance(value, str):
                yield prefix + question_id, value
            elif value:
                for item in value:
                    yield prefix + question_id, item
            else:
                yield prefix + question_id, ""


def hidden_fields(answers: Mapping[str, AnswerValue],
                  remembered: Mapping[str, AnswerValue] | None = None) -> list[Hidden]:
    """The hidden inputs that carry answers (and remembered suggestions), as the templates'
    ``carry`` macro takes them."""
    return [Hidden(name, value) for name, value in hidden_pairs(answers, remembered)]


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
        return normalise_answer(question, chosen) if chosen else question.none_chosen
    if not chosen:
        raise ReplyProblem("Choose an answer.")
    return normalise_answer(question, chosen if len(chosen) > 1 else chosen[0])
