"""Texts worded by audience: loaded per audience, checked for gaps, linted in every variant."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.load.knowledge_base import load_knowledge_base
from engine.model import AUDIENCES, Wording, audience_of
from engine.problems import KnowledgeBaseError
from engine.run.assess import assess
from tests.conftest import replace_in

BREATHING_TEXT = """    text:
      self: >-
        Right now, is breathing harder than it usually is for you, at rest or lying flat?
      baby: >-
        Right now, is your baby working hard to breathe, or breathing in a way that is new for
        them?
      other: >-
        Right now, is their breathing harder than it usually is for them, at rest or lying flat?"""
BY_AUDIENCE = """    text:
      self: Is it hard for you to breathe right now?
      other: Is it hard for them to breathe right now?
      baby: Is your baby working hard to breathe right now?"""


def _worded_breathing(rules: Path, mapping: str) -> int:
    """Replace the breathing question's text with ``mapping``; return the line of ``text:``."""
    return replace_in(rules / "questions.yaml", BREATHING_TEXT, mapping)


def test_a_mapping_gives_each_audience_its_own_sentence(rules_copy: Path) -> None:
    _worded_breathing(rules_copy, BY_AUDIENCE)
    kb = load_knowledge_base(rules_copy)
    texts = {a: kb.for_audience(a).question("breathing_trouble").text for a in AUDIENCES}
    assert texts == {"self": "Is it hard for you to breathe right now?",
                     "adult": "Is it hard for them to breathe right now?",
                     "child": "Is it hard for them to breathe right now?",
                     "baby": "Is your baby working hard to breathe right now?"}
    # what no audience words differently is one shared object
    assert kb.for_audience("baby").question("double_vision") is kb.question("double_vision")


def test_a_missing_audience_is_named_at_its_file_and_line(rules_copy: Path) -> None:
    line = _worded_breathing(rules_copy, """    text:
      self: Is it hard for you to breathe right now?
      adult: Is it hard for them to breathe right now?""")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    problems = [str(p) for p in caught.value.problems]
    assert [p for p in problems if f"questions.yaml:{line}: question 'breathing_trouble'" in p
            and "no wording for 'child', 'baby'" in p and "'other'" in p], problems


def test_a_mapping_without_self_is_refused(rules_copy: Path) -> None:
    _worded_breathing(rules_copy, """    text:
      other: Is it hard for them to breathe right now?""")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    assert any("no wording for 'self'" in str(p) for p in caught.value.problems)


def test_an_unknown_audience_key_is_a_schema_problem(rules_copy: Path) -> None:
    line = _worded_breathing(rules_copy, """    text:
      self: Is it hard for you to breathe right now?
      parent: Is it hard for them to breathe right now?""")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    problems = [str(p) for p in caught.value.problems]
    # named at the mapping, which starts on the line after 'text:'
    assert [p for p in problems if f"questions.yaml:{line + 1}:" in p and "by audience" in p
            ], problems


def test_a_diagnostic_phrase_only_in_the_baby_wording_is_caught(rules_copy: Path) -> None:
    _worded_breathing(rules_copy, """    text:
      self: Is it hard for you to breathe right now?
      other: Is it hard for them to breathe right now?
      baby: Is your baby breathing hard? This is likely a chest infection.""")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    problems = [str(p) for p in caught.value.problems]
    assert [p for p in problems if "'likely' hints at likelihood" in p
            and "question 'breathing_trouble'" in p], problems
    assert all("questions.yaml:" in p for p in problems)


def test_level_titles_and_guidance_are_worded_per_audience(rules_copy: Path) -> None:
    replace_in(rules_copy / "levels.yaml", """    title: Emergency — get help now""",
               """    title:
      self: Emergency — get help now
      other: Emergency — get help for them now
      baby: Emergency — get help for your baby now""")
    kb = load_knowledge_base(rules_copy)
    assert kb.for_audience("baby").level("emergency").title == (
        "Emergency — get help for your baby now")
    assert kb.for_audience("child").level("emergency").title == (
        "Emergency — get help for them now")
    # without a 'who' answer (old answer files, scenarios) the questions are about oneself
    assert assess(kb, {"breathing_trouble": "yes"}).level.title == "Emergency — get help now"


def test_wording_resolves_other_for_those_not_named() -> None:
    wording = Wording.from_mapping({"self": "you", "other": "they", "baby": "your baby"})
    assert [wording.for_audience(a) for a in AUDIENCES] == ["you", "they", "they", "your baby"]
    assert wording.variants() == ((("self",), "you"), (("adult", "child"), "they"),
                                  (("baby",), "your baby"))
    assert Wording.same("all").uniform and not wording.uniform


@pytest.mark.parametrize(("answers", "expected"), [
    ({}, "self"), ({"who": "baby"}, "baby"), ({"who": "adult"}, "adult"),
    ({"who": "child"}, "child"), ({"who": "self"}, "self"), ({"who": "nobody"}, "self")])
def test_the_audience_of_answers(answers: dict[str, str], expected: str) -> None:
    assert audience_of(answers) == expected
