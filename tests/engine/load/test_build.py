"""The load stage's one build: typed objects with locations, whatever the checks find later."""

from __future__ import annotations

from pathlib import Path

from engine.conditions import leaves
from engine.load.build import Draft, build
from engine.load.crosscheck import cross_reference_problems
from engine.load.knowledge_base import read_documents
from engine.load.paths import display_path
from engine.model import AnswerTest
from tests.conftest import replace_in


def _draft(root: Path) -> Draft:
    docs, problems = read_documents(root)
    assert problems == []
    return build(docs, display_path(root))


def _line_of(path: Path, text: str, after: str = "") -> int:
    """The line where ``text`` first occurs (after the first ``after``)."""
    content = path.read_text(encoding="utf-8")
    return content[: content.index(text, content.index(after))].count("\n") + 1


def test_objects_keep_the_lines_of_their_keys(rules_copy: Path) -> None:
    draft = _draft(rules_copy)
    questions = rules_copy / "questions.yaml"
    choking = next(q for q in draft.questions if q.id == "choking")
    assert choking.where.line == _line_of(questions, "- id: choking")
    assert choking.marks.key("raises_to") == _line_of(questions, "raises_to:", "- id: choking")
    rules = rules_copy / "red_flags.rules.yaml"
    rule = next(r for r in draft.rules if r.id == "rf_choking")
    test = next(leaf for leaf, _ in leaves(rule.when) if isinstance(leaf, AnswerTest))
    assert test.marks.key("answer") == _line_of(rules, "when:", "- id: rf_choking")
    assert rule.marks.item("sources", 0) == _line_of(rules, "sources:", "- id: rf_choking")


def test_a_question_offers_its_own_answers_then_the_flagged_ones(rules_copy: Path) -> None:
    draft = _draft(rules_copy)
    yes_no = next(q for q in draft.questions if q.kind == "yes_no")
    assert yes_no.values == ("yes", "no", "unsure")
    age = next(q for q in draft.questions if q.id == "age_at_start")  # not_sure, does_not_apply
    assert age.values[-3:] == ("60_or_older", "unsure", "not_applicable")
    assert age.label_of("not_applicable") == "Does not apply"


def test_broken_references_are_built_as_names_and_then_reported(rules_copy: Path) -> None:
    """Building tolerates what only the cross-checks may refuse; they then name each at its line."""
    rules = rules_copy / "red_flags.rules.yaml"
    unknown = replace_in(rules, "{answer: choking, is: yes}", "{answer: chokin, is: yes}")
    duplicate = replace_in(rules, "id: rf_choking", "id: rf_breathing_trouble")
    gap = replace_in(rules_copy / "questions.yaml", "    text:\n      self: >-\n        Are you "
                     "choking on your own spit (saliva), in a way that is new?\n", "    text:\n")
    draft = _draft(rules_copy)  # no exception: the builder does not judge
    assert [r.id for r in draft.rules].count("rf_breathing_trouble") == 2
    assert any(leaf.question == "chokin" for rule in draft.rules
               for leaf, _ in leaves(rule.when) if isinstance(leaf, AnswerTest))
    found = {(p.line, p.message.split(" (")[0].split(":")[0])
             for p in cross_reference_problems(draft)}
    assert (unknown, "unknown question 'chokin'") in found
    assert (duplicate, "duplicate id") in found
    assert (gap, "'text'") in found
