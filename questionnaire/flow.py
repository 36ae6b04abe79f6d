"""The question loop, without any input or output: which question comes next, going back, stopping.

questionary has no "back" of its own, so the questionnaire is driven here as a walk over the
question bank with an answers dict. The answers always belong to exactly the questions asked so
far, in asking order, so going back one step simply forgets the last answer (it is remembered as
the suggestion when that question comes round again). After each answer the knowledge base
assesses what it has so far; an answer that reaches the highest level ends the walk at once.
Once ``who`` is answered, every question comes worded for the person it is about.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from engine.conditions import evaluate, questions_read
from engine.model import AnswerValue, Assessment, Condition, KnowledgeBase, Question
from engine.run.assess import assess

#: What the walk assesses the answers so far with after each answer. None means "not assessed":
#: the web's question pages assess only answers that could end the walk (web/forms.py steer_by).
Assessor = Callable[[KnowledgeBase, Mapping[str, AnswerValue]], Assessment | None]


class Progress(NamedTuple):
    """Where the person is: question ``number`` of about ``about`` (which shrinks, never grows)."""

    number: int
    about: int


class Length(NamedTuple):
    """How many questions a run can take: ``fewest`` when no follow-up applies, up to ``most``."""

    fewest: int
    most: int


class NotAsked(RuntimeError):
    """An answer for a question the walk would not ask now (or when the walk is over)."""

    def __init__(self, message: str, question: str | None = None) -> None:
        #: The question the answer was meant for, when known (``resume`` always says).
        self.question = question
        super().__init__(message)


class Later(NamedTuple):
    """The questions after one place in the bank, as progress counts them."""

    #: How many may be asked whatever the answers before that place say: those always asked,
    #: and those whose ``ask_if`` reads a question at that place or after it.
    open: int
    #: The ``ask_if`` of each of the others: the answers before that place decide them.
    decided: tuple[Condition, ...]


#: For each place in the bank (by position), the questions after it (see Later).
LaterPlan = tuple[Later, ...]
_later_plans: weakref.WeakKeyDictionary[KnowledgeBase, LaterPlan] = weakref.WeakKeyDictionary()


def _later_plan_of(kb: KnowledgeBase) -> LaterPlan:
    """Worked out once per knowledge base: a web page replays the walk afresh for every request.
    Working out what each ``ask_if`` reads per walk was a tenth of a question page's time
    (tests/bench/web_parts.py); with the questions the answers cannot yet decide counted once
    too, the first question page takes 0.55 million instructions in-process instead of 0.60
    (tests/bench/web_instructions.py)."""
    plan = _later_plans.get(kb)
    if plan is None:
        questions = kb.questions
        latest = [max((kb.positions[read] for read in questions_read(question.ask_if)
                       if kb.has_question(read)), default=-1) for question in questions]
        plans = []
        for index in range(len(questions)):
            after = range(index + 1, len(questions))
            decided = tuple(ask_if for other in after
                            if (ask_if := questions[other].ask_if) is not None
                            and latest[other] < index)
            plans.append(Later(len(after) - len(decided), decided))
        plan = _later_plans[kb] = tuple(plans)
    return plan


def questionnaire_length(kb: KnowledgeBase) -> Length:
    always = sum(1 for question in kb.questions if question.ask_if is None)
    return Length(always, len(kb.questions))


@dataclass
class Questionnaire:
    """One run through the question bank.

    >>> run = Questionnaire(kb)                # doctest: +SKIP
    >>> run.current().id, run.answer("no")      # doctest: +SKIP
    """

    kb: KnowledgeBase
    assessor: Assessor = assess
    #: Answers to the questions asked so far, in asking order.
    answers: dict[str, AnswerValue] = field(default_factory=dict)
    #: Answers forgotten by going back, offered again as the suggestion.
    remembered: dict[str, AnswerValue] = field(default_factory=dict)
    #: Remembered answers given again without asking: the later answers kept while one earlier
    #: answer is changed (see change_from).
    kept: set[str] = field(default_factory=set)
    #: The latest assessment (None before the first answer, or when the assessor made none).
    result: Assessment | None = None
    _later_plan: LaterPlan = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._later_plan = _later_plan_of(self.kb)

    # --- where we are --------------------------------------------------------------------------

    def _start(self) -> int:
        """Index in the bank from which the next question is looked for."""
        if not self.answers:
            return 0
        return self.kb.positions[next(reversed(self.answers))] + 1

    def _next_asked(self, start: int) -> int | None:
        """The index of the first question from ``start`` that the answers so far ask."""
        questions, answers = self.kb.questions, self.answers
        for index in range(start, len(questions)):
            ask_if = questions[index].ask_if
            if ask_if is None or evaluate(ask_if, answers):
                return index
        return None

    @property
    def worded(self) -> KnowledgeBase:
        """The knowledge base worded for whom the answers so far say the questions are about."""
        return self.kb.for_answers(self.answers)

    def current(self) -> Question | None:
        """The next question to ask, worded for the session's audience, or None when the walk
        is over (or ended early)."""
        if self.ended_early:
            return None
        index = self._next_asked(self._start())
        # every audience's version asks the same questions, in one order
        return None if index is None else self.worded.questions[index]

    def progress(self) -> Progress:
        """Question N of about M, where M counts every later question that may still be asked:
        one whose ``ask_if`` reads a question still to come, or holds on the answers so far."""
        question = self.current()
        number = len(self.answers) + 1
        if question is None:
            return Progress(len(self.answers), len(self.answers))
        later, answers = self._later_plan[self.kb.positions[question.id]], self.answers
        count = later.open
        for ask_if in later.decided:  # a plain loop: every web question page counts this
            if evaluate(ask_if, answers):
                count += 1
        return Progress(number, number + count)

    @property
    def can_go_back(self) -> bool:
        return bool(self.answers)

    @property
    def ended_early(self) -> bool:
        """Whether the answers so far already reach the highest level (e.g. an emergency)."""
        return self.result is not None and self.result.level.id == self.kb.levels[0].id

    # --- moving -------------------------------------------------------------------------------

    def answer(self, value: AnswerValue) -> Assessment | None:
        """Record the answer to the current question and assess everything answered so far."""
        question = self.current()
        if question is None:
            raise NotAsked("the questionnaire is over: there is no question to answer")
        if question.kind == "several_of":
            if isinstance(value, str):
                raise ValueError(f"{question.id} takes a tuple of values")
            value = tuple(sorted(set(value)))
        elif not isinstance(value, str):
            raise ValueError(f"{question.id} takes one value")
        unknown = set((value,) if isinstance(value, str) else value) - set(question.values)
        if unknown:
            raise ValueError(f"{question.id}: not an option: {', '.join(sorted(unknown))}")
        clash = question.combination_problem(value)
        if clash:
            raise ValueError(f"{question.id}: {clash}")
        self.remembered.pop(question.id, None)
        self.kept.discard(question.id)
        self.answers[question.id] = value
        self.result = self.assessor(self.kb, self.answers)
        return self.result

    def resume(self, answers: Mapping[str, AnswerValue]) -> None:
        """Give again, in order, answers that the answers reader has checked (engine/run/
        answers.py): NotAsked names the first that the walk would not ask for at that point.

        What answering them one by one would do, less the checks each value already passed:
        a web page resumes the walk so far on every request. In one pass, the 35th question
        page of a walk took 2.32 million instructions in-process instead of 2.75, the 12th
        1.13 instead of 1.27 (tests/bench/web_instructions.py; the pages are the same to the
        byte).
        """
        start, ended = self._start(), self.ended_early
        for question_id, value in answers.items():
            index = None if ended else self._next_asked(start)
            if index is None or self.kb.questions[index].id != question_id:
                raise NotAsked(f"{question_id} is not the question asked now", question_id)
            self.remembered.pop(question_id, None)
            self.kept.discard(question_id)
            self.answers[question_id] = value
            self.result = self.assessor(self.kb, self.answers)
            ended = self.result is not None and self.ended_early
            start = index + 1

    def back(self) -> bool:
        """Forget the last answer, so its question is asked again; False when at the start."""
        if not self.answers:
            return False
        question_id = next(reversed(self.answers))
        self.remembered[question_id] = self.answers.pop(question_id)
        self.kept.discard(question_id)  # asked again, not given again behind the person's back
        self.result = self.assessor(self.kb, self.answers) if self.answers else None
        return True

    def change_from(self, question_id: str) -> None:
        """Go back to an answered question so it is asked again, keeping every later answer.

        The walk steps back with `back` until that question is the current one again; the later
        answers are remembered and marked kept, so `give_kept` answers them again unasked, and
        only questions that newly apply are put to the person.
        """
        if question_id not in self.answers:
            raise ValueError(f"{question_id} has not been answered")
        later = list(self.answers)[list(self.answers).index(question_id) + 1:]
        while question_id in self.answers:
            self.back()
        self.kept.update(later)

    def give_kept(self) -> None:
        """Answer again, unasked, each current question whose earlier answer is kept."""
        while (question := self.current()) is not None and question.id in self.kept:
            self.answer(self.remembered[question.id])

    def final(self) -> Assessment:
        """The assessment of everything answered (also when nothing was)."""
        if self.result is None:
            self.result = self.assessor(self.kb, self.answers)
        if self.result is None:
            raise RuntimeError("this walk's assessor only steers it: assess the answers instead")
        return self.result
