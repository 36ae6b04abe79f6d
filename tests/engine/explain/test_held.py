"""The one walk behind every explanation: which parts of a condition held."""

from __future__ import annotations

from engine.conditions import parse_condition
from engine.explain.held import held_parts
from engine.model import AnswerTest, FactTest, NotOf


def test_only_the_parts_that_held_are_named() -> None:
    condition = parse_condition({"all": [
        {"answer": "a", "is": "yes"},
        {"any": [{"answer": "b", "is": "yes"}, {"fact": "f"}, {"fact": "g"}]},
        {"not": {"answer": "c", "is": "yes"}},
    ]})
    parts = list(held_parts(condition, {"a": "yes", "b": "no"}, {"f"}))
    assert parts == [AnswerTest("a", frozenset({"yes"})), FactTest("f"),
                     NotOf(AnswerTest("c", frozenset({"yes"})))]


def test_a_false_branch_names_nothing_even_when_some_of_it_matched() -> None:
    condition = parse_condition({"any": [
        {"all": [{"answer": "a", "is": "yes"}, {"answer": "b", "is": "yes"}]},
        {"answer": "c", "is": "yes"},
    ]})
    assert list(held_parts(condition, {"a": "yes", "c": "yes"}, set())) == [
        AnswerTest("c", frozenset({"yes"}))]
