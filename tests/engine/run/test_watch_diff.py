"""Two watched runs compared: the differences are the engine's own, none when nothing changed."""

from __future__ import annotations

from engine.model import AnswerValue, KnowledgeBase
from engine.run.assess import assess
from engine.run.watch import Event
from engine.run.watch_diff import diff_runs

AS_WRITTEN: dict[str, AnswerValue] = {"weaker": "yes", "onset": "over_months",
                                      "inactivity": ()}


def _events(kb: KnowledgeBase, answers: dict[str, AnswerValue]) -> list[Event]:
    events: list[Event] = []
    assess(kb, answers, events.append)
    return events


def test_the_same_answers_twice_differ_in_nothing(kb: KnowledgeBase) -> None:
    diff = diff_runs(_events(kb, AS_WRITTEN), _events(kb, AS_WRITTEN))
    assert not (diff.activations_appeared or diff.activations_vanished or diff.fired_only_after
                or diff.fired_only_before or diff.order_changed)


def test_a_cast_brings_the_disuse_rules_and_blocks_the_doctor_rule(kb: KnowledgeBase) -> None:
    changed = {**AS_WRITTEN, "inactivity": ("cast",)}
    diff = diff_runs(_events(kb, AS_WRITTEN), _events(kb, changed))
    assert set(diff.fired_only_after) == {"disuse_context", "disuse_only"}
    # the generic doctor rule, and the reading about the article's conditions, give way to disuse
    assert set(diff.fired_only_before) == {"see_doctor_about_muscle_change", "read_conditions_set"}
    assert "disuse_context" in diff.activations_appeared
    # the doctor rule was put on the agenda, then taken off when disuse_explained appeared
    assert "see_doctor_about_muscle_change" in diff.deactivations_appeared
    # and the fired sets agree with the results
    before, after = assess(kb, AS_WRITTEN), assess(kb, changed)
    assert set(diff.fired_only_after) == after.fired - before.fired
    assert set(diff.fired_only_before) == before.fired - after.fired
