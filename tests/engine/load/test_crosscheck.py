"""Each validation problem, from a broken copy of the shipped knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.load.knowledge_base import load_knowledge_base
from engine.model import KnowledgeBase
from engine.problems import KnowledgeBaseError, Location, Problem
from tests.conftest import replace_in


def problems_after(rules: Path, file: str, old: str, new: str, at: str | None
                   ) -> tuple[int, list[str]]:
    """Break a file; return the line the problem should name and every problem reported."""
    line = replace_in(rules / file, old, new)
    if at is not None:
        text = (rules / file).read_text(encoding="utf-8")
        line = text[: text.index(at)].count("\n") + 1
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules)
    return line, [str(p) for p in caught.value.problems]


def test_shipped_knowledge_base_is_valid() -> None:
    kb = load_knowledge_base()
    assert kb.questions and kb.rules


@pytest.mark.parametrize(("file", "old", "new", "expected", "at"), [
    # unknown question inside a rule, with a did-you-mean
    ("red_flags.rules.yaml", "{answer: breathing_trouble, is: yes}",
     "{answer: breathing_troubel, is: yes}",
     "rule 'rf_breathing_trouble': unknown question 'breathing_troubel' (did you mean "
     "'breathing_trouble'?)", None),
    # a value the question does not offer
    ("red_flags.rules.yaml", "{answer: choking, is: yes}", "{answer: choking, is: yse}",
     "'yse' is not an answer to 'choking' (did you mean 'yes'?); allowed: yes, no, unsure",
     None),
    # unknown reading topic
    ("reading.rules.yaml", "reading: [common_causes, als",
     "reading: [common_causess, als", "unknown reading topic 'common_causess'",
     None),
    # unknown level
    ("red_flags.rules.yaml", "level: urgent", "level: urgnet", "unknown level 'urgnet'", None),
    # unknown source
    ("red_flags.rules.yaml", "sources: [nhs-cauda-equina]", "sources: [nhs-cauda]",
     "unknown source 'nhs-cauda'", None),
    # a fact no rule derives
    ("muscle_changes.rules.yaml", "- {not: {fact: other_signs}}",
     "- {not: {fact: other_sign}}", "no rule derives the fact 'other_sign'", None),
    # includes on a single-valued question
    ("red_flags.rules.yaml", "{answer: choking, is: yes}",
     "{answer: choking, includes: yes}", "'includes' does not fit yes_no question", None),
    # duplicate rule id
    ("red_flags.rules.yaml", "id: rf_breathing_trouble", "id: rf_sudden_one_sided",
     "rule 'rf_sudden_one_sided': duplicate id", None),
    # schema: unknown key
    ("red_flags.rules.yaml", "    title: Breathing harder than usual\n",
     "    title: Breathing harder than usual\n    severity: high\n", "unknown key 'severity'",
     "severity: high"),
    # schema: a review record needs both its parts, and a known status
    ("red_flags.rules.yaml", "    status: test\n    reviewed: \"2026-12-01\"\n\n  - id: rf_choking",
     "    status: tested\n    reviewed: \"2026-12-01\"\n\n  - id: rf_choking",
     "must be one of: stable, test, experimental, deprecated", "status: tested"),
    ("red_flags.rules.yaml", "    status: test\n    reviewed: \"2026-12-01\"\n\n  - id: rf_choking",
     "    status: test\n    reviewed: 1 Dec 2026\n\n  - id: rf_choking",
     "must be a date written YYYY-MM-DD", "reviewed: 1 Dec"),
    # schema: missing key
    ("reading.yaml",
     "    link: https://www.fusfoundation.org/diseases-and-conditions/muscle-atrophy/\n", "",
     "reading 'focused_ultrasound': missing required key 'link'", "- id: focused_ultrasound"),
    # schema: condition with two operators
    ("red_flags.rules.yaml", "when: {answer: choking, is: yes}",
     "when: {answer: choking, is: yes, fact: x}", "a condition has exactly one of", None),
])
def test_each_problem_is_reported_with_file_line_and_subject(
        rules_copy: Path, file: str, old: str, new: str, expected: str, at: str | None) -> None:
    line, problems = problems_after(rules_copy, file, old, new, at)
    matching = [p for p in problems if expected in p]
    assert matching, problems
    assert matching[0].startswith(f"{rules_copy / file}:{line}: "), matching


def test_question_no_rule_reads(rules_copy: Path) -> None:
    replace_in(rules_copy / "questions.yaml", "  - id: eating_less\n",
               "  - id: unused_question\n    role: context\n    kind: yes_no\n"
               "    text: Unused?\n    why: Nothing reads it.\n\n  - id: eating_less\n")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    assert any("question 'unused_question': no rule reads this question" in str(p)
               for p in caught.value.problems)


def test_red_flag_after_other_questions(rules_copy: Path) -> None:
    replace_in(rules_copy / "questions.yaml", "  - id: eating_less\n    role: symptom\n",
               "  - id: eating_less\n    role: red_flag\n    raises_to: soon\n")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    assert any("red-flag questions must come first" in str(p) for p in caught.value.problems)


@pytest.mark.parametrize(("replaced", "problem"), [
    ("weaker", "replaces 'weaker', which is still a question"),
    ("dark_urine_with_muscle_pain",
     "replaces 'dark_urine_with_muscle_pain', which question 'dark_or_little_pee' "
     "already replaces"),
])
def test_a_replaced_id_must_be_gone_and_claimed_once(rules_copy: Path, replaced: str,
                                                     problem: str) -> None:
    line, problems = problems_after(
        rules_copy, "questions.yaml", "  - id: eating_less\n    role: symptom\n    kind: yes_no\n",
        f"  - id: eating_less\n    role: symptom\n    kind: yes_no\n    replaces: [{replaced}]\n",
        at=None)
    where = f"questions.yaml:{line + 3}: question 'eating_less': "  # the `replaces` line
    assert any(where + problem in text for text in problems), problems


def test_ask_if_may_only_read_earlier_questions(rules_copy: Path) -> None:
    replace_in(rules_copy / "questions.yaml",
               "    ask_if: {answer: who, is: baby}\n",
               "    ask_if: {answer: family_history, is: yes}\n")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    texts = [str(p) for p in caught.value.problems]
    assert any("ask_if reads 'family_history', which is not asked before" in t for t in texts)


def test_negation_cycle_is_refused(rules_copy: Path) -> None:
    replace_in(rules_copy / "muscle_changes.rules.yaml",
               "        - {answer: onset, in: [suddenly, over_hours, over_days]}\n",
               "        - {answer: onset, in: [suddenly, over_hours, over_days]}\n"
               "        - {fact: disuse_explained}\n")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    assert any("depends on the absence of a fact" in str(p) for p in caught.value.problems)


def test_every_problem_is_reported_at_once(rules_copy: Path) -> None:
    replace_in(rules_copy / "red_flags.rules.yaml", "is: yes}", "is: yess}", count=20)
    replace_in(rules_copy / "reading.rules.yaml", "fact: muscle_change}", "fact: musle_change}")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    texts = [str(p) for p in caught.value.problems]
    assert sum("'yess' is not an answer" in t for t in texts) >= 10
    assert any("no rule derives the fact 'musle_change'" in t for t in texts)


def test_malformed_yaml_and_missing_file(rules_copy: Path) -> None:
    (rules_copy / "reading.yaml").unlink()
    (rules_copy / "levels.yaml").write_text("levels: [\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    texts = [str(p) for p in caught.value.problems]
    assert any(t.endswith("reading.yaml: missing: a knowledge base needs reading.yaml")
               for t in texts)
    assert any("levels.yaml:2:" in t for t in texts)


def test_problems_are_reported_once_each_by_file_then_line_whole_file_first() -> None:
    """A problem about a whole file (no line) sorts beside ones with lines instead of failing."""
    error = KnowledgeBaseError([Problem("b.yaml", 2, "", "late"), Problem("a.yaml", 9, "", "x"),
                                Problem("a.yaml", None, "", "whole file"),
                                Problem("a.yaml", 9, "", "x")])
    assert [str(p) for p in error.problems] == ["a.yaml: whole file", "a.yaml:9: x",
                                                "b.yaml:2: late"]


def test_every_place_in_a_file_is_written_one_way(kb: KnowledgeBase) -> None:
    from engine.load.yaml_reader import YamlError

    assert str(Location("a.yaml", 3)) == "a.yaml:3" and str(Location("a.yaml")) == "a.yaml"
    assert str(Problem("a.yaml", 3, "", "x")).startswith(f"{Location('a.yaml', 3)}:")
    assert str(YamlError("a.yaml", 3, "x")) == "a.yaml:3: x"
    rule = kb.rules[0]
    assert isinstance(rule.where, Location) and rule.where.line
