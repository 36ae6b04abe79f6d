"""Saved answers read back to exactly the same answers, by our reader and by any YAML reader."""

from __future__ import annotations

from pathlib import Path

import yaml

from engine.model import AnswerValue, KnowledgeBase
from engine.run.answers import normalise_answers, read_answers_file
from questionnaire.render.answers_file import answers_yaml


def test_every_option_of_every_question_round_trips(kb: KnowledgeBase, tmp_path: Path) -> None:
    answers: dict[str, AnswerValue] = {}
    for question in kb.questions:
        if question.kind == "several_of":
            answers[question.id] = tuple(sorted(set(question.values) - question.alone))
        else:
            answers[question.id] = question.values[-1]
    for question in kb.questions:  # each single value too, one file per value
        for value in question.values:
            one: dict[str, AnswerValue] = {question.id: value if question.kind != "several_of"
                                           else (value,)}
            text = answers_yaml(one, "x.yaml")
            path = tmp_path / "one.yaml"
            path.write_text(text)
            assert normalise_answers(kb, read_answers_file(str(path))) == one, text
    path = tmp_path / "all.yaml"
    path.write_text(answers_yaml(answers, str(path)))
    assert normalise_answers(kb, read_answers_file(str(path))) == answers
    plain_yaml = yaml.safe_load(path.read_text())
    assert list(plain_yaml) == list(answers)  # asking order kept
    assert all(isinstance(v, (str, list)) for v in plain_yaml.values())  # no booleans
    illness = kb.question("other_illness")
    assert plain_yaml["other_illness"] == sorted(set(illness.values) - illness.alone)
    assert path.read_text().startswith("# Answers saved by muscle-triage")
