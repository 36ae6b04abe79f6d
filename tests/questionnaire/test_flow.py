"""The question loop on its own: order, ask_if, going back, progress and stopping early."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.conditions import evaluate, questions_read
from engine.model import AnswerValue, KnowledgeBase, Question
from engine.run.assess import assess
from questionnaire.flow import Questionnaire, questionnaire_length
from questionnaire.render.summary import questions_behind, shorten
from tests.answer_paths import calm_default


def _calm_answer(question: Question, symptoms: str = "no") -> AnswerValue:
    """No red flag; ``symptoms`` to yes/no symptoms; the first option (the slowest onset for
    onset); none of a several-of."""
    if question.kind == "several_of":
        return ()
    if question.kind == "one_of":
        return calm_default(question)
    return symptoms if question.role != "red_flag" else "no"


def _no_to_everything(run: Questionnaire) -> list[str]:
    """Answer no (or none) to every question; return the ids asked, in order."""
    asked = []
    while (question := run.current()) is not None:
        asked.append(question.id)
        run.answer(_calm_answer(question))
    return asked


def test_questions_come_in_bank_order_and_skip_those_whose_ask_if_fails(kb: KnowledgeBase
                                                                         ) -> None:
    run = Questionnaire(kb)
    asked = _no_to_everything(run)
    bank = [q.id for q in kb.questions]
    assert asked == sorted(asked, key=bank.index)
    skipped = [q for q in kb.questions if q.id not in asked]
    assert skipped, "saying no to every symptom must skip the follow-up questions"
    assert all(q.ask_if is not None and not evaluate(q.ask_if, run.answers) for q in skipped)
    red_flags = [q.id for q in kb.questions if q.role == "red_flag"]
    start = asked.index(red_flags[0])
    assert set(asked[:start]) <= set(kb.opening)  # only who it is about, and their age, before
    assert asked[start: start + len(red_flags)] == red_flags


def test_progress_counts_up_and_the_estimate_never_grows(kb: KnowledgeBase) -> None:
    run = Questionnaire(kb)
    seen = []
    while (question := run.current()) is not None:
        seen.append(run.progress())
        run.answer(_calm_answer(question, symptoms="yes"))
    assert [p.number for p in seen] == list(range(1, len(seen) + 1))
    abouts = [p.about for p in seen]
    assert abouts == sorted(abouts, reverse=True)
    assert abouts[0] == questionnaire_length(kb).most
    assert abouts[-1] == len(seen)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_progress_counts_each_later_question_that_may_still_be_asked(kb: KnowledgeBase,
                                                                     data: st.DataObject) -> None:
    """About M counts, past the current question, each one always asked, each whose ask_if
    reads a question still to come (the current one or later), and each whose ask_if holds on
    the answers so far: held to that definition, worked out afresh, on walks with answers drawn
    per question."""
    run = Questionnaire(kb, assessor=lambda _kb, _answers: None)  # never ends early
    while (question := run.current()) is not None:
        index = kb.positions[question.id]
        open_ids = {later.id for later in kb.questions[index:]}
        may_come = [later for later in kb.questions[index + 1:]
                    if later.ask_if is None or questions_read(later.ask_if) & open_ids
                    or evaluate(later.ask_if, run.answers)]
        number = len(run.answers) + 1
        assert run.progress() == (number, number + len(may_come))
        if question.kind == "several_of":
            ticks = st.sets(st.sampled_from(question.values), max_size=2).map(tuple)
            run.answer(data.draw(ticks.filter(lambda ticked, q=question:
                                              not q.combination_problem(ticked))))
        else:
            run.answer(data.draw(st.sampled_from(question.values)))


def test_going_back_forgets_the_last_answer_and_remembers_it(kb: KnowledgeBase) -> None:
    run = Questionnaire(kb)
    assert not run.back()
    first = run.current()
    assert first is not None
    run.answer("adult")
    second = run.current()
    assert second is not None and second.id != first.id
    assert run.back()
    assert run.current() == first
    assert run.answers == {}
    assert run.remembered == {first.id: "adult"}


def test_an_answer_at_the_highest_level_ends_the_walk(kb: KnowledgeBase) -> None:
    run = Questionnaire(kb)
    run.answer("self")
    run.answer("40_to_59")
    run.answer("no")
    result = run.answer("yes")  # the second red flag
    assert result.level.id == kb.levels[0].id
    assert run.ended_early and run.current() is None
    assert result.level == assess(kb, run.answers).level
    with pytest.raises(RuntimeError):
        run.answer("no")
    assert run.back() and not run.ended_early and run.current() is not None


def test_an_answer_outside_the_options_is_refused(kb: KnowledgeBase) -> None:
    run = Questionnaire(kb)
    with pytest.raises(ValueError, match="not an option"):
        run.answer("perhaps")
    assert run.answers == {}


def test_answers_behind_names_only_answers_that_made_rules_fire(kb: KnowledgeBase) -> None:
    answers = {q.id: "no" for q in kb.questions if q.role == "red_flag"}
    answers |= {"muscles_smaller": "no", "weaker": "yes", "activities_harder": "no",
                "onset": "over_months", "twitching_or_cramps": "no"}
    result = assess(kb, answers)
    behind = questions_behind(kb, result)
    assert "weaker" in behind
    assert "twitching_or_cramps" not in behind and "sudden_one_sided" not in behind


def test_shorten_keeps_the_first_clause_and_cuts_at_a_word() -> None:
    assert shorten("Have you lost strength? For example, stairs.") == "Have you lost strength?"
    long = "word " * 40 + "end?"
    short = shorten(long, 30)
    assert short.endswith(" ...") and len(short) <= 34 and "wor ..." not in short


def test_changing_an_answer_keeps_the_later_ones_and_asks_only_what_newly_applies(
        kb: KnowledgeBase) -> None:
    run = Questionnaire(kb)
    asked = _no_to_everything(run)
    before = dict(run.answers)
    run.change_from("weaker")
    assert run.current() is not None and run.current().id == "weaker"  # type: ignore[union-attr]
    assert run.remembered["weaker"] == "no"
    run.answer("yes")
    run.give_kept()
    # "yes" to weaker brings in its follow-ups; every later answer is given again unasked
    newly = run.current()
    assert newly is not None and newly.id not in before and newly.ask_if is not None
    assert all(run.answers.get(k, run.remembered.get(k)) == v
               for k, v in before.items() if k != "weaker")
    while (question := run.current()) is not None:
        run.answer(_calm_answer(question))
        run.give_kept()
    assert run.answers == {**before, **run.answers, "weaker": "yes"}
    assert set(run.answers) > set(asked)
    assert run.final() == assess(kb, run.answers)


def test_going_back_past_a_kept_answer_asks_it_instead_of_giving_it_again(
        kb: KnowledgeBase) -> None:
    run = Questionnaire(kb)
    _no_to_everything(run)
    asked = list(run.answers)
    at = next(i for i, q in enumerate(asked) if kb.question(q).role == "red_flag")
    first, second = asked[at:at + 2]  # two yes/no questions, after who it is about
    run.change_from(first)
    run.answer("no")
    run.give_kept()
    assert run.current() is None  # every later answer was given again
    while next(reversed(run.answers)) != second:
        run.back()
    run.back()  # back to the second question: asked, with its answer only suggested
    assert run.current().id == second and second not in run.kept  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="has not been answered"):
        run.change_from(second)
