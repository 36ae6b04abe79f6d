"""'Not sure' and 'Does not apply' offered by a question's flags: loaded, checked, kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.load.knowledge_base import load_knowledge_base
from engine.model import KnowledgeBase
from engine.problems import KnowledgeBaseError
from tests.conftest import replace_in

WHERE_FLAG = '      - {value: all_over, label: "All over, no one place"}\n    not_sure: true\n'


def where_with_does_not_apply(rules: Path) -> KnowledgeBase:
    """The shipped rules with 'where_affected' offering "Does not apply" beside its "Not sure"
    (no shipped several-of question has both flags)."""
    replace_in(rules / "questions.yaml", WHERE_FLAG, WHERE_FLAG + "    does_not_apply: true\n")
    return load_knowledge_base(rules)


def test_the_age_question_offers_not_sure_and_does_not_apply(kb: KnowledgeBase) -> None:
    age = kb.question("age_at_start")
    assert [o.label for o in age.options[-2:]] == ["Not sure", "Does not apply"]
    assert age.values[-2:] == ("unsure", "not_applicable")
    assert age.combination_problem("not_applicable") is None  # one answer: nothing to clash


def test_every_question_but_who_it_is_for_offers_not_sure(kb: KnowledgeBase) -> None:
    """Issue 16: a person may not know their illnesses, medicines, or where a change shows; only
    the person answering always knows whom they answer for."""
    lacking = [q.id for q in kb.questions if "unsure" not in q.values]
    assert lacking == ["who"]
    several = [q for q in kb.questions if q.kind == "several_of"]
    assert {q.id for q in several} >= {"other_illness", "medicines", "where_affected",
                                       "inactivity", "baby_signs", "child_signs"}
    assert all("unsure" in q.alone for q in several)


def test_none_of_these_is_declared_to_go_alone(kb: KnowledgeBase) -> None:
    for question_id in ("other_illness", "medicines"):
        question = kb.question(question_id)
        assert question.alone == {"none", "unsure"}
        assert question.combination_problem(("none", "unsure")) is not None
    assert kb.question("medicines").combination_problem(("none", "statin")) == (
        "'None of these' goes on its own: choose it alone, or choose the others without it")
    assert kb.question("where_affected").alone == {"unsure"}  # has no "none" option of its own


def test_flags_add_the_answers_last_and_they_go_alone_in_a_several_of(rules_copy: Path) -> None:
    where = where_with_does_not_apply(rules_copy).question("where_affected")
    assert where.values[-3:] == ("all_over", "unsure", "not_applicable")
    assert where.combination_problem(("hands", "not_applicable")) == (
        "'Does not apply' goes on its own: choose it alone, or choose the others without it")
    assert where.combination_problem(("hands", "unsure")) == (
        "'Not sure' goes on its own: choose it alone, or choose the others without it")
    assert where.combination_problem(("unsure",)) is None
    assert where.combination_problem(("face_eyes", "hands")) is None


def test_alone_on_a_one_of_option_is_refused(rules_copy: Path) -> None:
    onset = '{value: over_months, label: "Slowly, over months or longer"'
    replace_in(rules_copy / "questions.yaml", onset + "}", onset + ", alone: true}")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    assert any("only an option of a several_of question has 'alone'" in str(p)
               for p in caught.value.problems)


def test_a_rule_may_read_a_flagged_answer_and_a_misspelt_one_is_named(rules_copy: Path) -> None:
    replace_in(rules_copy / "red_flags.rules.yaml", "{answer: choking, is: yes}",
               "{answer: age_at_start, is: not_aplicable}")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "'not_aplicable' is not an answer to 'age_at_start' (did you mean " \
           "'not_applicable'?)" in text


def test_a_yes_no_question_needs_no_not_sure_flag(rules_copy: Path) -> None:
    weaker = "  - id: weaker\n    role: symptom\n    kind: yes_no\n"
    replace_in(rules_copy / "questions.yaml", weaker, weaker + "    not_sure: true\n")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    assert any("always offers 'Not sure'" in str(p) for p in caught.value.problems)


def test_a_flag_beside_an_option_of_the_same_value_is_a_duplicate(rules_copy: Path) -> None:
    replace_in(rules_copy / "questions.yaml", '      - {value: unsure, label: "Not sure"}\n',
               '      - {value: unsure, label: "Not sure"}\n    not_sure: true\n')
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    assert any("option value 'unsure' appears more than once" in str(p)
               for p in caught.value.problems)
