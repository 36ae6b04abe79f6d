"""What would change it: every set found reaches its level, none smaller does, none is missed.

Checked against brute force: every single change and every pair of changes to the sampled answers
evaluated with the reference evaluator, so a set of one or two changes found by the search must be
exactly the set brute force finds, and a larger one must have no smaller rival.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.explain.what_if import BUDGET, Change, candidate_changes, what_if
from engine.load.knowledge_base import load_knowledge_base
from engine.model import AnswerValue, Assessment, KnowledgeBase
from engine.run.assess import assess
from engine.verify.reference import reference_for
from engine.verify.safety import sample_answers
from tests.answer_samples import sized
from tests.bench.synth import write_knowledge_base
from tests.conftest import run_cli


def _changed(answers: dict[str, AnswerValue], changes: tuple[Change, ...]
             ) -> dict[str, AnswerValue]:
    """The answers with the changes made, written out here afresh."""
    result = dict(answers)
    for change in changes:
        if change.action == "set":
            result[change.question] = change.value
        else:
            options = set(result.get(change.question, ()))
            options = options | {change.value} if change.action == "add" else options - {
                change.value}
            result[change.question] = tuple(sorted(options))
    return result


def _accepted(kb: KnowledgeBase, answers: dict[str, AnswerValue],
              changes: tuple[Change, ...]) -> bool:
    """No changed several-of answer ticks one that goes alone beside others."""
    return all(kb.question(c.question).combination_problem(answers[c.question]) is None
               for c in changes if c.action != "set")


def _all_changes(kb: KnowledgeBase, result: Assessment) -> list[Change]:
    return [c for q in kb.questions for c in candidate_changes(q, result.answers.get(q.id))]


def _check(kb: KnowledgeBase, result: Assessment) -> None:
    reference = reference_for(kb)
    answers = dict(result.answers)
    changes = _all_changes(kb, result)
    by_rank: dict[int, dict[int, set[frozenset[Change]]]] = {}
    for size in (1, 2):
        for combo in itertools.combinations(changes, size):
            if size == 2 and combo[0].question == combo[1].question and "set" in (
                    combo[0].action, combo[1].action):
                continue  # two answers to one single-valued question
            changed = _changed(answers, combo)
            if not _accepted(kb, changed, combo):
                continue  # the questionnaire refuses these ticks: never a what-if
            rank = reference.level_rank(changed)
            by_rank.setdefault(rank, {}).setdefault(size, set()).add(frozenset(combo))
    found = what_if(kb, result)
    assert {level.level.id for level in found.levels} == {
        level.id for level in kb.levels} - {result.level.id}
    for level in found.levels:
        brute = by_rank.get(level.level.rank, {})
        smallest = min(brute, default=None)
        if level.size is None or level.size > 2:
            assert smallest is None, (answers, level.level.id, level.size)
        else:
            assert level.size == smallest
            assert {frozenset(s.changes) for s in level.sets} == brute[smallest], answers
        for change_set in level.sets:
            assert reference.level_rank(_changed(answers, change_set.changes)) == \
                level.level.rank
            for size in range(len(change_set.changes)):
                for subset in itertools.combinations(change_set.changes, size):
                    smaller = _changed(answers, subset)
                    assert (not _accepted(kb, smaller, subset)
                            or reference.level_rank(smaller) != level.level.rank)
            assert _accepted(kb, _changed(answers, change_set.changes), change_set.changes)


@pytest.mark.slow  # brute force, about 1 s of CPU per sampled answer set
@settings(max_examples=sized(4, 10), deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2 ** 32 - 1))
def test_what_if_sets_are_exactly_the_smallest(kb: KnowledgeBase, seed: int) -> None:
    """8 sampled answer sets (20 with MUSCLE_TRIAGE_LONG=1), beside the fixed ones below."""
    rng = random.Random(seed)
    for _ in range(2):
        _check(kb, assess(kb, sample_answers(kb, rng)))


def test_what_if_from_nothing_answered_and_from_an_emergency(kb: KnowledgeBase) -> None:
    _check(kb, assess(kb, {}))
    _check(kb, assess(kb, {"breathing_trouble": "yes", "weaker": "yes"}))


def test_a_change_that_opens_a_question_says_so(kb: KnowledgeBase) -> None:
    found = what_if(kb, assess(kb, {"weaker": "no"}))
    soon = next(level for level in found.levels if level.level.id == "soon")
    weaker = next(s for s in soon.sets if s.changes == (Change("weaker", "set", "yes"),))
    assert "onset" in weaker.opens and "see_doctor_about_muscle_change" in weaker.fires
    routine_again = what_if(kb, assess(kb, {"weaker": "yes", "onset": "over_months"}))
    routine = next(level for level in routine_again.levels if level.level.id == "routine")
    back = next(s for s in routine.sets if s.changes == (Change("weaker", "set", "no"),))
    assert back.sets_aside == ("onset",)


def test_the_search_keeps_to_its_budget_and_says_how_far_it_got(kb: KnowledgeBase) -> None:
    found = what_if(kb, assess(kb, {}), budget=3)
    assert found.evaluations <= 3
    assert all(level.size is None or level.size == 1 for level in found.levels)
    assert any(level.size is None and level.searched == 0 for level in found.levels)


@pytest.mark.slow
def test_what_if_on_a_generated_500_rule_base_keeps_to_the_budget(tmp_path: Path) -> None:
    generated = load_knowledge_base(write_knowledge_base(tmp_path, 500, seed=5))
    rng = random.Random(5)
    reference = reference_for(generated)
    sizes = []
    for _ in range(5):
        result = assess(generated, sample_answers(generated, rng))
        found = what_if(generated, result)
        assert found.evaluations <= BUDGET
        for level in found.levels:
            sizes.append(level.size)
            for change_set in level.sets:
                assert reference.level_rank(_changed(dict(result.answers), change_set.changes)
                                            ) == level.level.rank
    assert any(size is not None for size in sizes)  # the search does find sets at this size


def test_assess_what_if_as_text_and_json_and_never_without_the_flag(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("weaker: yes\nonset: over_months\n", encoding="utf-8")
    text = run_cli("assess", "--answers", str(answers), "--what-if")
    assert text.code == 0 and "What would change it" in text.out
    assert "weaker: Yes -> No" in text.out  # the teaching view shows the way down too
    plain = run_cli("assess", "--answers", str(answers))
    assert "What would change it" not in plain.out and "-> No" not in plain.out
    data = json.loads(run_cli("assess", "--answers", str(answers), "--what-if",
                              "--format", "json").out)
    assert [level["level"] for level in data["what_if"]] == ["emergency", "urgent", "routine"]
    assert "what_if" not in json.loads(run_cli("assess", "--answers", str(answers),
                                               "--format", "json").out)


def test_what_if_never_ticks_not_sure_beside_another_answer(kb: KnowledgeBase) -> None:
    """From "not sure where" over days (an emergency), routine needs other answers; any set that
    ticks a place must untick "Not sure" too, as the questionnaire would insist."""
    result = assess(kb, {"weaker": "yes", "onset": "over_days", "where_affected": ("unsure",)})
    found = what_if(kb, result)
    sets = [s for level in found.levels for s in level.sets]
    assert sets
    for change_set in sets:
        added = {c.value for c in change_set.changes
                 if c.question == "where_affected" and c.action == "add"}
        if added:
            assert Change("where_affected", "remove", "unsure") in change_set.changes


def test_what_if_on_a_generated_base_agrees_with_brute_force(tmp_path: Path) -> None:
    """Chained facts, ``not`` over facts and several-of questions, which the pruning by signed
    tests must all get right to stay exact."""
    generated = load_knowledge_base(write_knowledge_base(tmp_path, 60, seed=3))
    rng = random.Random(3)
    for _ in range(4):
        _check(generated, assess(generated, sample_answers(generated, rng)))


def test_signed_tests_follow_not_through_facts_and_ask_if(kb: KnowledgeBase) -> None:
    """A test under one ``not`` counts against the rule, and an ask_if's tests count with the
    sign of the test on the question they open."""
    from engine.conditions import leaves
    from engine.explain.what_if import rule_parts
    from engine.model import AnswerTest

    parts = rule_parts(kb)
    for rule in kb.rules:
        direct = {(leaf.question, leaf.values, -1 if negated else 1)
                  for leaf, negated in leaves(rule.when) if isinstance(leaf, AnswerTest)}
        found = {(q, values, sign) for _, tests in parts[rule.id]
                 for q, signs in tests.items() for values, sign in signs}
        assert direct <= found, rule.id
        for question, _, sign in direct:
            ask_if = kb.question(question).ask_if
            if ask_if is not None:
                gate = {(leaf.question, leaf.values, sign * (-1 if negated else 1))
                        for leaf, negated in leaves(ask_if) if isinstance(leaf, AnswerTest)}
                assert gate <= found, (rule.id, question)
