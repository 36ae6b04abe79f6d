"""Hidden fields and their replay: the short cut (one assessment a page) changes no outcome."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.model import AnswerTest, KnowledgeBase, NotOf, Rule
from engine.run.answers import AnswerError
from engine.run.assess import assess
from questionnaire.flow import Questionnaire
from questionnaire.web.forms import answered, hidden_fields, replay, rises_only, shown, steering
from tests.answer_paths import answer_path


def _pairs(answers: dict[str, object]) -> list[tuple[str, str]]:
    return [(f.name, f.value) for f in hidden_fields(answers)]  # type: ignore[arg-type]


def _outcome(kb: KnowledgeBase, pairs: list[tuple[str, str]], rising: bool) -> object:
    try:
        run = replay(kb, pairs, rising)
    except AnswerError as exc:
        return ("refused", exc.question)
    final = run.final()
    return (final.level.id, sorted(final.fired), run.current() and run.current().id)  # type: ignore[union-attr]


@st.composite
def walks(draw: st.DrawFn, kb: KnowledgeBase) -> list[tuple[str, str]]:
    """A walk the questionnaire could take (answers drawn per question), cut anywhere, and
    sometimes with one extra answer added at the end, as a tampered form might."""
    run = Questionnaire(kb)
    while (question := run.current()) is not None and draw(st.integers(0, 12)) > 0:
        if question.kind == "several_of":
            run.answer(tuple(draw(st.sets(st.sampled_from(question.values), max_size=2))))
        else:
            run.answer(draw(st.sampled_from(question.values)))
    pairs = _pairs(dict(run.answers))
    if draw(st.booleans()):
        extra = draw(st.sampled_from([q for q in kb.questions if q.kind == "yes_no"]))
        pairs.append((f"answer.{extra.id}", draw(st.sampled_from(["yes", "no"]))))
    return pairs


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_short_cut_replays_every_walk_as_the_flow_does(kb: KnowledgeBase,
                                                           data: st.DataObject) -> None:
    pairs = data.draw(walks(kb))
    assert _outcome(kb, pairs, rising=True) == _outcome(kb, pairs, rising=False)


def test_an_answer_after_the_emergency_stop_is_refused_either_way(kb: KnowledgeBase) -> None:
    path = [(q.id, v) for q, v in answer_path(kb, {"cannot_walk_or_lift_head": "yes"})]
    stop = [q for q, _ in path].index("cannot_walk_or_lift_head")
    tampered = _pairs(dict(path[: stop + 2]))
    for rising in (True, False):
        with pytest.raises(AnswerError) as refused:
            replay(kb, tampered, rising)
        assert refused.value.question == path[stop + 1][0]


def test_an_unsettled_replay_checks_the_answer_added_to_it(kb: KnowledgeBase) -> None:
    path = [(q.id, v) for q, v in answer_path(kb, {})]
    opening = {q: v for q, v in path if q in kb.opening}
    first, second = [q for q, _ in path if q not in kb.opening][:2]
    run = replay(kb, _pairs({**opening, first: "yes"}), rising=True, settled=False)
    assert run.current() is not None and run.current().id == second  # type: ignore[union-attr]
    run.answer("no")
    with pytest.raises(AnswerError) as refused:
        answered(run)
    assert refused.value.question == second


@pytest.mark.parametrize("wanted", [{}, {"weaker": "yes", "onset": "over_weeks"},
                                    {"muscles_smaller": "yes", "where_affected": ("hands",)}])
def test_a_shown_result_has_the_safety_net_the_walk_was_steered_without(
        kb: KnowledgeBase, wanted: dict[str, object]) -> None:
    answers = {q.id: v for q, v in answer_path(kb, wanted)}  # type: ignore[arg-type]
    run = replay(kb, _pairs(answers), rising=rises_only(kb))
    assert run.result is not None and run.result.safety_net == ()  # steered: none made
    assert steering(kb, answers).safety_net == ()
    full = assess(kb, answers)
    assert full.safety_net  # a calm walk always has warning signs that would raise it
    assert shown(run) == full


def test_rises_only_sees_a_not_behind_the_highest_level(kb: KnowledgeBase) -> None:
    assert rises_only(kb)
    top = next(r for r in kb.rules if r.then.level == kb.levels[0].id)
    negated: Rule = dataclasses.replace(top, when=NotOf(AnswerTest("weaker", frozenset({"yes"}))))
    other = dataclasses.replace(kb, rules=tuple(negated if r is top else r for r in kb.rules))
    assert not rises_only(other)
