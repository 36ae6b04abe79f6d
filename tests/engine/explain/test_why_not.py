"""Why (not): the marks agree with the reference evaluator, part by part, and the CLI shows them."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from engine.conditions import evaluate
from engine.explain.why_not import walk, why_not
from engine.load.knowledge_base import load_knowledge_base
from engine.model import AnswerTest, FactTest, KnowledgeBase
from engine.run.assess import assess
from engine.verify.reference import reference_for
from engine.verify.safety import sample_answers
from tests.bench.synth import write_knowledge_base
from tests.conftest import run_cli


def _check_marks(kb: KnowledgeBase, sets: int, seed: int) -> None:
    rng = random.Random(seed)
    reference = reference_for(kb)
    for _ in range(sets):
        result = assess(kb, sample_answers(kb, rng))  # the experta engine, as the CLI uses it
        fired, facts, _ = reference.run(dict(result.answers))
        for rule in kb.rules:
            marked = why_not(kb, result, rule.id)
            assert (marked.mark == "held") == (rule.id in fired), (result.answers, rule.id)
            assert marked.fired == (rule.id in fired)
            for node in walk(marked.condition):
                holds = evaluate(node.condition, result.answers, facts)
                assert (node.mark == "held") == holds, (result.answers, rule.id, node.condition)
                if isinstance(node.condition, AnswerTest):
                    answered = node.condition.question in result.answers
                    assert (node.mark == "unknown") == (not answered)
                    if not answered:
                        question = kb.question(node.condition.question)
                        asked = question.ask_if is None or evaluate(question.ask_if,
                                                                    result.answers)
                        assert node.because == ("not_answered" if asked else "not_asked")
                if isinstance(node.condition, FactTest) and node.mark != "held":
                    assert node.condition.fact not in facts


def test_marks_agree_with_the_reference_evaluator_on_the_shipped_rules(kb: KnowledgeBase) -> None:
    _check_marks(kb, 150, seed=18)


@pytest.mark.slow
def test_marks_agree_with_the_reference_evaluator_on_generated_rules(tmp_path: Path) -> None:
    generated = load_knowledge_base(write_knowledge_base(tmp_path, 120, seed=7))
    _check_marks(generated, 25, seed=7)


def test_a_silent_rule_shows_the_part_that_failed_and_the_question_not_asked(
        kb: KnowledgeBase) -> None:
    result = assess(kb, {"weaker": "no"})
    marked = why_not(kb, result, "child_signs_seen")
    assert marked.mark == "unknown" and not marked.fired
    leaves = [n for n in walk(marked.condition) if isinstance(n.condition, AnswerTest)]
    assert {n.because for n in leaves} == {"not_asked"}  # child_signs waits for age_at_start


def test_a_fact_not_derived_is_expanded_to_the_rules_that_derive_it(kb: KnowledgeBase) -> None:
    result = assess(kb, {"weaker": "yes", "inactivity": ("cast",), "eating_less": "yes"})
    marked = why_not(kb, result, "disuse_only")
    assert marked.mark == "failed"
    facts = {n.condition.fact: n for n in walk(marked.condition)
             if isinstance(n.condition, FactTest)}
    assert facts["disuse_explained"].mark == "failed"
    assert [r.rule.id for r in facts["disuse_explained"].derived_by] == ["disuse_context"]
    assert facts["other_signs"].mark == "held"


def test_explain_with_answers_as_text_and_json(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("weaker: yes\ninactivity: [cast]\n", encoding="utf-8")
    text = run_cli("explain", "see_doctor_about_muscle_change", "--answers", str(answers))
    assert text.code == 0, text.err
    assert "did not fire" in text.out and "[failed] not:" in text.out
    assert "(not asked: its ask_if was false)" in " ".join(text.out.split())
    data = json.loads(run_cli("explain", "disuse_only", "--answers", str(answers),
                              "--format", "json").out)
    assert data["fired"] is True and data["mark"] == "held"
    assert data["condition"]["kind"] == "all"
    assert {part["mark"] for part in data["condition"]["parts"]} == {"held"}


def test_explain_with_answers_refuses_an_id_that_is_not_a_rule_in_one_line(
        tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("weaker: yes\n", encoding="utf-8")
    result = run_cli("explain", "weaker", "--answers", str(answers))
    assert result.code == 2 and result.err.count("\n") == 1 and "not one" in result.err
    result = run_cli("explain", "disuse_onyl", "--answers", str(answers))
    assert result.code == 2 and "did you mean 'disuse_only'" in result.err
    result = run_cli("explain", "disuse_only", "--format", "json")
    assert result.code == 2 and "--answers" in result.err


def test_silent_rules_are_the_unfired_ones_with_what_held_each_back(kb: KnowledgeBase) -> None:
    """What the demo's --why-not lists: every rule that did not fire and no other, each with
    the parts of its condition that are not held (a failed one among them when it is failed)."""
    from engine.explain.why_not import holding_back, silent_rules

    rng = random.Random(18)
    for _ in range(30):
        result = assess(kb, sample_answers(kb, rng))
        silent = silent_rules(kb, result)
        assert [m.rule.id for m in silent] == [r.id for r in kb.rules if r.id not in result.fired]
        for marked in silent:
            parts = holding_back(marked)
            assert parts and all(part.mark != "held" for part in parts), marked.rule.id
            assert (marked.mark == "failed") == any(p.mark == "failed" for p in parts)
        for rule_id in result.fired:
            assert holding_back(why_not(kb, result, rule_id)) == ()
