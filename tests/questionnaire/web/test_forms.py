"""Hidden fields and their replay: the short cut (one assessment a page) changes no outcome."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from engine.conditions import answer_matches, leaves
from engine.model import AnswerTest, AnswerValue, FactTest, KnowledgeBase, NotOf, Rule
from engine.run.answers import AnswerError
from engine.run.assess import assess
from questionnaire.flow import NotAsked, Questionnaire
from questionnaire.web.forms import (
    Ending,
    answered,
    could_end,
    ending_screens,
    form_pairs,
    hidden_fields,
    read_fields,
    replay,
    shown,
    steer_by,
    steering,
)
from tests.answer_paths import answer_path, each_answer_alone
from tests.answer_samples import over_seeds, sampled, sized


def _pairs(answers: dict[str, object]) -> list[tuple[str, str]]:
    return [(f.name, f.value) for f in hidden_fields(answers)]  # type: ignore[arg-type]


def _outcome(kb: KnowledgeBase, pairs: list[tuple[str, str]], rising: bool) -> object:
    try:
        run = replay(kb, pairs, ending_screens(kb) if rising else None)
    except AnswerError as exc:
        return ("refused", exc.question)
    final = shown(run, with_safety_net=False)
    return (final.level.id, sorted(final.fired), run.current() and run.current().id)  # type: ignore[union-attr]


#: Form bodies as a browser, a script or a tamperer might send them: our own fields, encoded
#: and not, among every character that means something in one.
FORM_BODIES = st.lists(st.one_of(
    st.sampled_from(["answer.weaker", "yes", "reply", "=", "&", "&&", "%", "%2", "%41", "%C3%A9",
                     "%ff", "+", ".", "\u00e9", "\x00"]),
    st.text(max_size=4))).map("".join)


@settings(max_examples=300, deadline=None)
@given(body=FORM_BODIES)
def test_a_form_reads_as_the_standard_library_reads_it(body: str) -> None:
    """form_pairs splits a body with nothing encoded itself: the pairs are parse_qsl's, always."""
    raw = body.encode("utf-8", "surrogatepass")
    expected = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8",
                         errors="replace")
    assert form_pairs(raw) == expected


def test_a_form_past_the_field_limit_is_refused() -> None:
    assert len(form_pairs(b"&".join([b"a=1"] * 500))) == 500
    with pytest.raises(ValueError, match="more than 500 fields"):
        form_pairs(b"&".join([b"a=1"] * 501))


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


def _walked(kb: KnowledgeBase, answers: dict[str, AnswerValue], resume: bool) -> object:
    """Where a walk given ``answers`` ends up: the answers taken, the question asked next and
    the level steered by, or the answer refused and what was taken before it."""
    run = Questionnaire(kb, assessor=steer_by(ending_screens(kb)))
    if resume:
        try:
            run.resume(answers)
        except NotAsked as refused:
            return ("refused", refused.question, dict(run.answers))
    else:
        for question_id, value in answers.items():
            asked = run.current()
            if asked is None or asked.id != question_id:
                return ("refused", question_id, dict(run.answers))
            run.answer(value)
    asked = run.current()
    return (dict(run.answers), asked and asked.id, run.result and run.result.level.id)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_resuming_read_answers_is_answering_them_one_by_one(kb: KnowledgeBase,
                                                            data: st.DataObject) -> None:
    """Questionnaire.resume skips only the checks the answers reader made: walks cut anywhere,
    with an answer left out or one added (a tampered form), end where answering one by one
    does, and an emergency answer refuses every answer after it."""
    pairs = data.draw(walks(kb))
    try:
        answers, _ = read_fields(kb, pairs)
    except AnswerError:  # an added answer the reader refuses (one given twice): never resumed
        reject()
    if answers and data.draw(st.booleans()):
        del answers[data.draw(st.sampled_from(sorted(answers)))]
    assert _walked(kb, answers, resume=True) == _walked(kb, answers, resume=False)


def test_an_answer_after_the_emergency_stop_is_refused_either_way(kb: KnowledgeBase) -> None:
    path = [(q.id, v) for q, v in answer_path(kb, {"cannot_walk_or_lift_head": "yes"})]
    stop = [q for q, _ in path].index("cannot_walk_or_lift_head")
    tampered = _pairs(dict(path[: stop + 2]))
    for rising in (True, False):
        with pytest.raises(AnswerError) as refused:
            replay(kb, tampered, ending_screens(kb) if rising else None)
        assert refused.value.question == path[stop + 1][0]


def test_an_unsettled_replay_checks_the_answer_added_to_it(kb: KnowledgeBase) -> None:
    path = [(q.id, v) for q, v in answer_path(kb, {})]
    opening = {q: v for q, v in path if q in kb.opening}
    first, second = [q for q, _ in path if q not in kb.opening][:2]
    run = replay(kb, _pairs({**opening, first: "yes"}), ending_screens(kb), settled=False)
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
    run = replay(kb, _pairs(answers), ending_screens(kb))
    assert run.result is None or run.result.safety_net == ()  # steered: none made
    assert steering(kb, answers).safety_net == ()
    full = assess(kb, answers)
    assert full.safety_net  # a calm walk always has warning signs that would raise it
    assert shown(run) == full


def test_no_ending_screens_with_a_not_behind_the_highest_level(kb: KnowledgeBase) -> None:
    assert ending_screens(kb) is not None
    top = next(r for r in kb.rules if r.then.level == kb.levels[0].id)
    negated: Rule = dataclasses.replace(top, when=NotOf(AnswerTest("weaker", frozenset({"yes"}))))
    other = dataclasses.replace(kb, rules=tuple(negated if r is top else r for r in kb.rules))
    assert ending_screens(other) is None


def _without_reads(ending: Ending, answers: dict[str, AnswerValue]) -> dict[str, AnswerValue]:
    """The answers with every value that matches a test the screens read taken out."""
    wanted: dict[str, set[str]] = {}
    for screen in ending:
        for test in screen.reads:
            wanted.setdefault(test.question, set()).update(test.values)
    kept: dict[str, AnswerValue] = {}
    for question_id, value in answers.items():
        matched = wanted.get(question_id, set())
        if isinstance(value, str):
            if value not in matched:
                kept[question_id] = value
        else:
            kept[question_id] = tuple(item for item in value if item not in matched)
    return kept


@over_seeds(sized(10, 50))
def test_answers_no_screen_lets_through_never_reach_the_highest_level(
        kb: KnowledgeBase, seed: int) -> None:
    """The screens that let a question page skip the rules are sound: whenever they say no rule
    reaching the highest level could fire, the rule network does not reach it (on sampled
    answer sets, many of which reach it, and on the same sets with every value the screens
    read taken out)."""
    ending = ending_screens(kb)
    assert ending is not None
    top = kb.levels[0].id
    for answers in sampled(kb, seed, 40):
        stripped = _without_reads(ending, answers)
        assert not could_end(ending, stripped)
        for candidate in (answers, stripped):
            if not could_end(ending, candidate):
                assert steering(kb, candidate).level.id != top, candidate


def test_a_late_question_page_of_a_muscle_change_runs_no_rules(kb: KnowledgeBase) -> None:
    """After "weaker over months, in the hands" no later page gets past the screens, though
    many answer a test behind the emergency level: the rules reaching it want sudden or fast
    weakness, or a red flag, and those were answered no."""
    ending = ending_screens(kb)
    assert ending is not None
    path = answer_path(kb, {"muscles_smaller": "yes", "weaker": "yes", "onset": "over_months",
                            "where_affected": ("hands",), "inactivity": ()})
    answers: dict[str, AnswerValue] = {}
    reads_held = 0
    for question, value in path:
        answers[question.id] = value
        reads_held += any(answer_matches(t, answers.get(t.question))
                          for screen in ending for t in screen.reads)
        assert not could_end(ending, answers), question.id
    assert reads_held > 10


def test_every_red_flag_answer_is_an_ending_answer(kb: KnowledgeBase) -> None:
    """Each answer that reaches the highest level on its own is one the screen lets through."""
    ending = ending_screens(kb)
    assert ending is not None
    top = kb.levels[0].id
    reaching = 0
    for question, value, answers in each_answer_alone(kb):
        if steering(kb, answers).level.id == top:
            reaching += 1
            assert could_end(ending, answers), (question.id, value)
    assert reaching >= 20  # the red flags, at least


def test_a_derived_fact_behind_the_highest_level_brings_its_answers(kb: KnowledgeBase) -> None:
    ending = ending_screens(kb)
    assert ending is not None
    through_facts = 0
    for screen in ending:
        rule = kb.rule(screen.rule)
        for leaf, _ in leaves(rule.when):
            if isinstance(leaf, FactTest):
                through_facts += 1
                for deriver in (r for r in kb.rules if leaf.fact in r.then.derive):
                    for test, _ in leaves(deriver.when):
                        if isinstance(test, AnswerTest):
                            assert test in screen.reads, (rule.id, leaf.fact, deriver.id)
        assert set(screen.needs) <= set(screen.reads)
    assert through_facts  # the shipped rules reach the highest level through facts too


def test_the_highest_level_as_default_leaves_no_short_cut(kb: KnowledgeBase) -> None:
    assert ending_screens(dataclasses.replace(kb, default_level=kb.levels[0].id)) is None


def test_a_question_page_before_any_sign_runs_no_rules(kb: KnowledgeBase,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Among the warning signs, answered "no", a question page runs no rules; the answer that
    reports one is assessed and ends the walk."""
    from engine.run.rete import CompiledNetwork

    runs: list[object] = []
    real = CompiledNetwork.run
    monkeypatch.setattr(CompiledNetwork, "run",
                        lambda self, answers: runs.append(answers) or real(self, answers))
    ending = ending_screens(kb)
    path = [(q.id, v) for q, v in answer_path(kb, {"choking": "yes"})]
    stop = [q for q, _ in path].index("choking")
    run = replay(kb, _pairs(dict(path[:stop])), ending, settled=False)
    assert run.current() is not None and run.current().id == "choking"  # type: ignore[union-attr]
    run.answer("no")
    assert runs == [] and not run.ended_early
    run.back()
    run.answer("yes")
    assert runs and run.ended_early
