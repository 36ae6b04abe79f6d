"""Reading and checking answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.load.yaml_reader import YamlError
from engine.model import KnowledgeBase
from engine.run.answers import (
    AnswerError,
    answers_from_file,
    applicable,
    normalise_answers,
    read_answers_file,
    split_answers,
)
from engine.verify.reference import reference_for


def test_values_labels_and_booleans_are_accepted(kb: KnowledgeBase) -> None:
    answers = normalise_answers(kb, {"weaker": True, "muscles_smaller": "Not sure",
                                     "onset": "OVER_MONTHS", "inactivity": ["cast", "bed_rest"],
                                     "where_affected": "hands", "eating_less": None})
    assert answers == {"weaker": "yes", "muscles_smaller": "unsure", "onset": "over_months",
                       "inactivity": ("bed_rest", "cast"), "where_affected": ("hands",)}


def test_bad_value_names_question_and_allowed_values(kb: KnowledgeBase) -> None:
    with pytest.raises(AnswerError) as caught:
        normalise_answers(kb, {"onset": "yesterday"})
    assert str(caught.value) == ("question 'onset': 'yesterday' is not an allowed answer; "
                                 "allowed: suddenly, over_hours, over_days, over_weeks, "
                                 "over_months, unsure")
    assert caught.value.question == "onset"


def test_unknown_question_suggests_a_near_name(kb: KnowledgeBase) -> None:
    with pytest.raises(AnswerError, match="unknown question 'weeker' \\(did you mean 'weaker'"):
        normalise_answers(kb, {"weeker": "yes"})


def test_a_replaced_question_id_is_refused_with_the_new_id(kb: KnowledgeBase) -> None:
    """An old answers file using an id a question `replaces` is told which question took its
    place; its answer is not carried over, as the new question asks something different."""
    with pytest.raises(AnswerError) as caught:
        normalise_answers(kb, {"weaker": "yes", "dark_urine_with_muscle_pain": "yes"})
    message = str(caught.value)
    assert message.startswith("question 'dark_urine_with_muscle_pain' was replaced by "
                              "'dark_or_little_pee'")
    assert "answer 'dark_or_little_pee' instead" in message and "\n" not in message
    assert caught.value.question == "dark_urine_with_muscle_pain"


def test_list_for_a_single_answer_question_is_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(AnswerError, match="takes one answer"):
        normalise_answers(kb, {"weaker": ["yes", "no"]})


def test_not_a_mapping(kb: KnowledgeBase) -> None:
    with pytest.raises(AnswerError, match="mapping"):
        normalise_answers(kb, ["weaker"])


def test_json_answers_with_duplicate_key(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"weaker": "yes",\n "weaker": "no"}', encoding="utf-8")
    with pytest.raises(YamlError, match="duplicate key 'weaker'"):
        read_answers_file(str(path))


def test_yaml_answers_keep_yes_and_no_as_words(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("weaker: no\nmuscles_smaller: yes\n", encoding="utf-8")
    assert normalise_answers(kb, read_answers_file(str(path))) == \
        {"weaker": "no", "muscles_smaller": "yes"}


def test_ask_if_reads_only_the_answers_kept_so_far() -> None:
    plan = [("a", None), ("b", lambda kept, facts: kept.get("a") == "yes"),
            ("c", lambda kept, facts: "b" in kept)]
    # b is set aside because a is "no"; c then is too, although b was answered
    assert split_answers(plan, {"a": "no", "b": "yes", "c": "yes"}) == ({"a": "no"}, ("b", "c"))
    assert split_answers(plan, {"a": "yes", "c": "yes"}) == ({"a": "yes"}, ("c",))


def test_the_reference_evaluator_keeps_the_same_answers(kb: KnowledgeBase) -> None:
    gated = [q for q in kb.questions if q.ask_if is not None]
    assert gated, "the shipped questions have an ask_if to check"
    everything = {q.id: q.values[-1] if q.kind != "several_of" else q.values[:1]
                  for q in kb.questions}
    kept, ignored = applicable(kb, everything)
    assert ignored, "some answer is set aside, so the comparison covers an ask_if that failed"
    assert reference_for(kb).applicable(everything) == (kept, ignored)


def test_an_answer_that_goes_alone_is_refused_beside_others(kb: KnowledgeBase) -> None:
    for question_id, ticks in (("where_affected", ["hands", "Not sure"]),
                               ("medicines", ["none", "statin"]),
                               ("other_illness", ["unsure", "none"])):
        with pytest.raises(AnswerError, match="goes on its own") as caught:
            normalise_answers(kb, {question_id: ticks})
        assert caught.value.question == question_id
        assert str(caught.value).startswith(f"question '{question_id}': '")
    assert normalise_answers(kb, {"medicines": ["Not sure"], "where_affected": "unsure"}) == {
        "medicines": ("unsure",), "where_affected": ("unsure",)}


def test_a_refused_answer_from_a_file_names_its_line(tmp_path: Path, kb: KnowledgeBase) -> None:
    yaml_file = tmp_path / "a.yaml"
    yaml_file.write_text("weaker: yes\n# a comment\nwhere_affected:\n  - hands\n  - unsure\n")
    json_file = tmp_path / "a.json"
    json_file.write_text('{\n  "weaker": "yes",\n  "onset": "over_days",\n'
                         '  "medicines": ["none", "statin"]\n}\n')
    with pytest.raises(AnswerError) as from_yaml:
        answers_from_file(kb, str(yaml_file))
    assert str(from_yaml.value).startswith(f"{yaml_file}:3: question 'where_affected': ")
    with pytest.raises(AnswerError) as from_json:
        answers_from_file(kb, str(json_file))
    assert str(from_json.value).startswith(f"{json_file}:4: question 'medicines': ")
    with pytest.raises(AnswerError, match=r"^<stdin>:2: unknown question 'weeker'"):
        answers_from_file(kb, "-", b"weaker: yes\nweeker: no\n")
    assert answers_from_file(kb, "-", b"medicines: [unsure]\n") == {"medicines": ("unsure",)}
