"""texts.yaml: the reader texts around questions and results, loaded, worded and linted."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.load.knowledge_base import load_knowledge_base
from engine.model import TEXT_NAMES, KnowledgeBase
from engine.problems import KnowledgeBaseError
from tests.conftest import replace_in


def _problems(rules: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(rules)
    return [str(p) for p in caught.value.problems]


def test_every_text_is_loaded_from_texts_yaml(kb: KnowledgeBase) -> None:
    for name in TEXT_NAMES:
        text = getattr(kb.texts, name)
        assert text.strip() and "\n" not in text, name
        assert kb.texts.where[name].path.endswith("texts.yaml")


def test_texts_are_worded_per_audience(rules_copy: Path) -> None:
    replace_in(rules_copy / "texts.yaml", "  not_a_diagnosis: Not a diagnosis.", """\
  not_a_diagnosis:
    self: This is not a diagnosis for you.
    other: This is not a diagnosis for them.""")
    kb = load_knowledge_base(rules_copy)
    assert kb.texts.not_a_diagnosis == "This is not a diagnosis for you."
    assert kb.for_audience("baby").texts.not_a_diagnosis == "This is not a diagnosis for them."


def test_diagnostic_wording_in_texts_yaml_is_caught_at_its_line(rules_copy: Path) -> None:
    line = replace_in(rules_copy / "texts.yaml", "  not_a_diagnosis: Not a diagnosis.",
                      "  not_a_diagnosis: You probably have nothing serious.")
    problems = _problems(rules_copy)
    assert [p for p in problems if f"texts.yaml:{line}: text 'not_a_diagnosis'" in p
            and "'probably'" in p], problems


def test_a_missing_text_is_a_schema_problem(rules_copy: Path) -> None:
    replace_in(rules_copy / "texts.yaml", "  not_a_diagnosis: Not a diagnosis.", "")
    assert [p for p in _problems(rules_copy)
            if "texts.yaml" in p and "missing required key 'not_a_diagnosis'" in p]


def test_a_knowledge_base_without_texts_yaml_says_so(rules_copy: Path) -> None:
    (rules_copy / "texts.yaml").unlink()
    assert [p for p in _problems(rules_copy)
            if "texts.yaml" in p and "missing: a knowledge base needs texts.yaml" in p]
