"""Teaching mode, engine side: each watched event comes from the run itself, in order."""

from __future__ import annotations

import threading
from collections.abc import Mapping

import pytest

from engine.model import AnswerValue, KnowledgeBase
from engine.run.answers import normalise_answers
from engine.run.assess import assess, network_for
from engine.run.watch import (
    Event,
    FactAsserted,
    FactRetracted,
    RuleActivated,
    RuleDeactivated,
    RuleFired,
    watching,
)
from engine.verify.demos import load_demos


def watched(kb: KnowledgeBase, raw: Mapping[str, object]) -> list[Event]:
    events: list[Event] = []
    assess(kb, normalise_answers(kb, raw), events.append)
    return events


def first(events: list[Event], kind: type, **fields: object) -> Event:
    for event in events:
        if isinstance(event, kind) and all(
                getattr(event, key) == value for key, value in fields.items()):
            return event
    raise AssertionError(f"no {kind.__name__} with {fields} in {events}")


def asserted(events: list[Event], name: str) -> FactAsserted:
    for event in events:
        if isinstance(event, FactAsserted) and event.fact.label == name:
            return event
    raise AssertionError(f"fact {name} was never asserted")


CHAIN = {"weaker": "yes", "onset": "over_months", "inactivity": []}
BLOCKED = {"weaker": "yes", "onset": "over_months", "twitching_or_cramps": "yes",
           "inactivity": ["cast"]}
DISUSE = {"weaker": "yes", "onset": "over_months", "inactivity": ["cast"]}


def test_steps_are_numbered_in_order_and_start_with_the_answers(kb: KnowledgeBase) -> None:
    events = watched(kb, CHAIN)
    assert [event.step for event in events] == list(range(1, len(events) + 1))
    start, second = events[0], events[1]
    assert isinstance(start, FactAsserted) and start.fact.kind == "initial"  # experta's own
    assert isinstance(second, FactAsserted) and second.fact.kind == "answers"
    assert "weaker=yes" in second.fact.label and "inactivity=[]" in second.fact.label


def test_a_derived_fact_is_asserted_before_the_rule_it_chains_to_activates(
        kb: KnowledgeBase) -> None:
    events = watched(kb, CHAIN)
    fired = first(events, RuleFired, rule="muscle_change_reported")
    fact = asserted(events, "muscle_change")
    activated = first(events, RuleActivated, rule="see_doctor_about_muscle_change")
    chained = first(events, RuleFired, rule="see_doctor_about_muscle_change")
    assert fired.step < fact.step < activated.step < chained.step
    assert fact.by == "muscle_change_reported"
    assert isinstance(activated, RuleActivated)
    assert fact.fact in activated.facts


def test_a_not_takes_a_waiting_rule_off_the_agenda(kb: KnowledgeBase) -> None:
    events = watched(kb, BLOCKED)
    activated = first(events, RuleActivated, rule="disuse_context")
    blocker = asserted(events, "other_signs")
    removed = first(events, RuleDeactivated, rule="disuse_context")
    assert activated.step < blocker.step < removed.step
    assert isinstance(removed, RuleDeactivated)
    assert removed.after == (blocker,) and not removed.had_fired
    assert not any(isinstance(e, RuleFired) and e.rule == "disuse_context" for e in events)
    # Its fact never appears, so the rule that needs it never even joins the agenda.
    assert not any(isinstance(e, RuleActivated) and e.rule == "disuse_only" for e in events)


def test_firing_order_is_explained_by_salience_then_recency(kb: KnowledgeBase) -> None:
    events = watched(kb, DISUSE)
    disuse = first(events, RuleFired, rule="disuse_context")
    assert isinstance(disuse, RuleFired)
    assert disuse.reason == "salience" and disuse.runner_up is not None
    # both rules that need disuse_explained absent wait below it (which comes next is a tie)
    assert disuse.runner_up.rule in {"see_doctor_about_muscle_change", "read_conditions_set"}
    assert disuse.salience > disuse.runner_up.salience
    # Its one fact takes the generic rule off the agenda unfired and lets disuse_only in.
    fact = asserted(events, "disuse_explained")
    removed = first(events, RuleDeactivated, rule="see_doctor_about_muscle_change")
    chained = first(events, RuleActivated, rule="disuse_only")
    assert disuse.step < fact.step < removed.step and fact.step < chained.step
    assert isinstance(removed, RuleDeactivated) and removed.after == (fact,)

    # At equal salience the rule on the newer facts fires first: recency decides.
    blocked = watched(kb, BLOCKED)
    recent = next(e for e in blocked if isinstance(e, RuleFired) and e.reason == "recency")
    assert recent.runner_up is not None and recent.salience == recent.runner_up.salience
    assert [fact.id for fact in recent.facts] > list(recent.runner_up.fact_ids)

    alone = first(watched(kb, {"sudden_one_sided": "yes"}), RuleFired)
    assert isinstance(alone, RuleFired) and alone.reason == "alone" and alone.runner_up is None


def test_an_any_rule_fires_once_per_true_branch_but_concludes_once(kb: KnowledgeBase) -> None:
    events = watched(kb, {"weaker": "yes", "muscles_smaller": "yes"})
    activations = [e for e in events
                   if isinstance(e, RuleActivated) and e.rule == "muscle_change_reported"]
    firings = [e for e in events if isinstance(e, RuleFired) and e.rule == "muscle_change_reported"]
    assert [a.match for a in activations] == [1, 2]
    assert [f.repeat for f in firings] == [False, True]
    assert sum(isinstance(e, FactAsserted) and e.fact.label == "muscle_change"
               for e in events) == 1


def test_a_retracted_fact_is_reported(kb: KnowledgeBase) -> None:
    # No shipped rule retracts, so retract through the engine itself while watching it.
    network = network_for(kb)
    events: list[Event] = []
    with watching(network, events.append):
        network.run(normalise_answers(kb, CHAIN))
        engine = network._engine()
        derived = next(fact for fact in engine.facts.values()
                       if fact.get("name") == "muscle_change")
        engine.retract(derived)
    retracted = first(events, FactRetracted)
    assert isinstance(retracted, FactRetracted)
    assert retracted.fact == asserted(events, "muscle_change").fact
    # The rules that matched it leave the agenda; they had fired, so nothing is undone.
    removed = events[retracted.step:]
    assert {e.rule for e in removed if isinstance(e, RuleDeactivated)} == {
        "read_treatment_options", "see_doctor_about_muscle_change", "read_conditions_set"}
    assert all(isinstance(e, RuleDeactivated) and e.after == (retracted,) and e.had_fired
               for e in removed)


def test_each_run_in_one_watch_starts_afresh(kb: KnowledgeBase) -> None:
    network = network_for(kb)
    events: list[Event] = []
    with watching(network, events.append):
        for _ in range(2):
            network.run(normalise_answers(kb, CHAIN))
    runs = [e for e in events if isinstance(e, RuleFired) and e.rule == "muscle_change_reported"]
    # the same firing number both times: the count starts again with each run
    assert [(e.firing, e.repeat) for e in runs] == [(runs[0].firing, False)] * 2
    assert [e.step for e in events] == list(range(1, len(events) + 1))


def _all_demo_answers(kb: KnowledgeBase) -> list[dict[str, AnswerValue]]:
    return [demo.answers for demo in load_demos(kb)] + [
        normalise_answers(kb, raw) for raw in (
            {"weaker": "yes", "muscles_smaller": "unsure", "family_history": "yes",
             "where_affected": ["hands", "hips_shoulders"], "after_infection": "yes"},
            {"who": "baby", "baby_signs": ["floppy"], "age_at_start": "under_6_months",
             "weaker": "yes",
             "child_signs": ["late_milestones", "curved_spine"]},
            {})]


def test_watching_never_changes_the_result(kb: KnowledgeBase) -> None:
    for answers in _all_demo_answers(kb):
        events: list[Event] = []
        assert assess(kb, answers, events.append) == assess(kb, answers)
        fired = [e.rule for e in events if isinstance(e, RuleFired) and not e.repeat]
        assert sorted(fired) == sorted(step.rule.id for step in assess(kb, answers).trace)


def test_a_watch_stopped_mid_run_leaves_later_runs_whole_and_unwatched(
        kb: KnowledgeBase) -> None:
    heard: list[Event] = []

    def stop_at_first_firing(event: Event) -> None:
        heard.append(event)
        if isinstance(event, RuleFired):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        assess(kb, normalise_answers(kb, CHAIN), stop_at_first_firing)
    stopped_at = len(heard)
    # The interrupted engine is reset by the next run: its result is whole, and nobody hears it.
    assert assess(kb, normalise_answers(kb, CHAIN)).level.id == "soon"
    assert len(heard) == stopped_at


def test_runs_on_other_threads_are_not_watched(kb: KnowledgeBase) -> None:
    network = network_for(kb)
    events: list[Event] = []
    with watching(network, events.append):
        worker = threading.Thread(target=network.run, args=(normalise_answers(kb, CHAIN),))
        worker.start()
        worker.join()
    assert events == []


def test_a_changed_experta_reset_stops_loudly_instead_of_watching_less(kb: KnowledgeBase) -> None:
    """The one hook point refuses an agenda it does not know, rather than miss firings."""
    network = network_for(kb)
    network.run(normalise_answers(kb, CHAIN))
    engine = network._engine()
    with pytest.raises(TypeError, match="experta has changed"):
        engine.agenda = [*engine.agenda.activations]
