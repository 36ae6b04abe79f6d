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
        Is your breathing newly harder than usual for you, at rest, lying flat or at night?
      baby: >-
        Right now, is your baby working hard to breathe, or breathing in a way that is new for
        them?
      other: >-
        Is their breathing newly harder than usual for them, at rest, lying flat or at night?"""
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
    assert kb.for_audience("baby").question("family_history") is kb.question("family_history")


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


def test_guidance_comes_worded_for_whom_the_answers_are_about(rules_copy: Path) -> None:
    replace_in(rules_copy / "red_flags.rules.yaml", """      guidance: >-
        Call your local emergency number now. Breathing that is newly harder than usual, at rest,
        lying flat or at night, needs help at once.""", """      guidance:
        self: Call your local emergency number now. Trouble breathing needs emergency care.
        other: Call your local emergency number now. Their trouble breathing needs emergency care.
        baby: Call your local emergency number now. A baby who works hard to breathe needs help.""")
    kb = load_knowledge_base(rules_copy)
    baby = assess(kb, {"who": "baby", "breathing_trouble": "yes"})
    assert baby.guidance[0] == "Call your local emergency number now. A baby who works hard to " \
        "breathe needs help."
    assert baby.level.title == kb.for_audience("baby").level("emergency").title
    adult = assess(kb, {"who": "adult", "breathing_trouble": "yes"})
    assert adult.guidance[0].endswith("Their trouble breathing needs emergency care.")
    # without a 'who' answer (old answer files, scenarios) the questions are about oneself
    own = assess(kb, {"breathing_trouble": "yes"})
    assert own.guidance[0].endswith(" Trouble breathing needs emergency care.")
    assert own.level.title == kb.level("emergency").title


def test_the_answers_to_who_must_be_audiences(rules_copy: Path) -> None:
    replace_in(rules_copy / "questions.yaml", "{value: baby, label:", "{value: infant, label:")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    problems = [str(p) for p in caught.value.problems]
    assert [p for p in problems if "question 'who'" in p and "'infant' is not an audience" in p
            ], problems


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


@pytest.mark.parametrize("key", ["with_reading", "safety_net"])
def test_a_level_text_that_leaves_an_audience_out_is_a_problem_not_a_crash(
        rules_copy: Path, key: str) -> None:
    """Every text of a level is checked for gaps, the optional ones too (a gap in one of these
    once ended in a KeyError while the knowledge base was built)."""
    levels = rules_copy / "levels.yaml"
    text = levels.read_text(encoding="utf-8")
    start = text.index(f"    {key}:")
    end = text.index("\n", start)
    while text.startswith("      ", end + 1):  # the rest of a text written over several lines
        end = text.index("\n", end + 1)
    line = text[:start].count("\n") + 1
    levels.write_text(text[:start] + f"    {key}:\n      adult: Words for an adult only."
                      + text[end:], encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules_copy)
    problems = [str(p) for p in caught.value.problems]
    assert [p for p in problems if f"levels.yaml:{line}: level '" in p
            and f"'{key}': no wording for 'self'" in p], problems
