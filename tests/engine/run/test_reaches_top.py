"""The rules behind the highest level alone decide whether an assessment reaches it."""

from __future__ import annotations

from engine.conditions import facts_read
from engine.model import KnowledgeBase
from engine.run.assess import assess, reaches_top, rules_behind_top
from tests.answer_paths import answer_path, each_answer_alone
from tests.answer_samples import over_seeds, sampled, sized


def test_rules_behind_top_are_the_top_rules_and_all_that_derive_what_they_read(
        kb: KnowledgeBase) -> None:
    behind = rules_behind_top(kb)
    ids = {rule.id for rule in behind}
    top = kb.levels[0].id
    assert {rule.id for rule in kb.rules if rule.then.level == top} <= ids
    for rule in behind:
        for fact in facts_read(rule.when):
            assert all(other.id in ids for other in kb.rules if fact in other.then.derive)
    assert len(behind) < len(kb.rules)  # the cut is worth making
    assert [rule.id for rule in behind] == [rule.id for rule in kb.rules if rule.id in ids]


@over_seeds(sized(10, 50))
def test_reaches_top_agrees_with_the_whole_assessment(kb: KnowledgeBase, seed: int) -> None:
    top = kb.levels[0].id
    for answers in sampled(kb, seed, 20):
        assert reaches_top(kb, answers) == (assess(kb, answers, with_safety_net=False).level.id
                                            == top), answers


def test_reaches_top_on_each_warning_sign_alone(kb: KnowledgeBase) -> None:
    """Every answer that reaches the highest level with calm answers around it is seen."""
    top = kb.levels[0].id
    reached = 0
    for question, value, answers in each_answer_alone(kb):
        whole = assess(kb, answers, with_safety_net=False).level.id == top
        assert reaches_top(kb, answers) == whole, (question.id, value)
        reached += whole
    assert reached >= 20 and not reaches_top(kb, {q.id: v for q, v in answer_path(kb, {})})
