"""The compiled experta network: semantics of the condition language and determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.conditions import evaluate, facts_read, parse_condition
from engine.load.knowledge_base import load_knowledge_base
from engine.model import AllOf, AnswerTest, FactTest, KnowledgeBase, NotOf
from engine.run.assess import assess
from engine.run.rete import CompiledNetwork
from engine.run.strata import dependencies_of, dependency_order, negation_cycles, strata
from tests.conftest import replace_in
from tests.repo import ROOT


def test_plain_evaluation_of_each_operator() -> None:
    answers = {"a": "yes", "m": ("x", "y")}
    assert evaluate(parse_condition({"answer": "a", "is": "yes"}), answers)
    assert not evaluate(parse_condition({"answer": "a", "in": ["no", "unsure"]}), answers)
    assert evaluate(parse_condition({"answer": "m", "includes": "y"}), answers)
    assert not evaluate(parse_condition({"answer": "m", "includes_any": ["z"]}), answers)
    # an unanswered question satisfies no test, so its negation holds
    assert not evaluate(parse_condition({"answer": "b", "is": "yes"}), answers)
    assert evaluate(parse_condition({"not": {"answer": "b", "is": "yes"}}), answers)
    assert evaluate(parse_condition({"all": [{"fact": "f"}, {"not": {"fact": "g"}}]}),
                    answers, {"f"})


def test_strata_put_negated_facts_first(kb: KnowledgeBase) -> None:
    layer = strata(kb.rules)
    # disuse_only reads `not other_signs`; the floor reads `not disuse_explained`
    assert layer["other_signs_present"] < layer["disuse_only"] < \
        layer["see_doctor_about_muscle_change"]


def test_dependency_order_puts_each_rule_after_the_rules_whose_facts_it_reads(
        kb: KnowledgeBase) -> None:
    order = dependency_order(kb.rules)
    assert order is not None and sorted(order) == sorted(r.id for r in kb.rules)
    for rule in kb.rules:
        for fact in facts_read(rule.when):
            for other in kb.rules:
                if fact in other.then.derive:
                    assert order.index(other.id) < order.index(rule.id)


def test_only_a_cycle_through_a_not_is_a_negation_cycle() -> None:
    positive = dependencies_of([("a", {"y": False}, ["x"]), ("b", {"x": False}, ["y"])])
    assert negation_cycles(positive) == []
    negative = dependencies_of([("a", {"y": True}, ["x"]), ("b", {"x": False}, ["y"]),
                                ("c", {"x": True}, [])])
    assert negation_cycles(negative) == ["a", "b"]


def test_not_over_a_derived_fact_waits_for_the_rule_that_derives_it(kb: KnowledgeBase) -> None:
    # Answers where disuse is ruled out only by a fact derived in the same run.
    answers = {"weaker": "yes", "inactivity": ("cast",), "twitching_or_cramps": "yes"}
    result = assess(kb, answers)
    assert "disuse_only" not in result.fired
    assert result.level.id == "soon"


def test_an_or_rule_fires_once_even_when_several_branches_hold(kb: KnowledgeBase) -> None:
    network = CompiledNetwork(kb)
    run = network.run({"muscles_smaller": "yes", "weaker": "yes", "activities_harder": "yes"})
    assert run.fired.count("muscle_change_reported") == 1


def test_action_names_are_rule_ids(kb: KnowledgeBase) -> None:
    network = CompiledNetwork(kb)
    assert {name for name in vars(network.engine_class) if not name.startswith("_")} == \
        {rule.id for rule in kb.rules}


def test_network_agrees_with_plain_evaluation_on_each_rule(kb: KnowledgeBase) -> None:
    """Each fired rule's condition holds, and no rule whose condition holds stayed silent."""
    cases = [{}, {"weaker": "unsure", "inactivity": ()},
             {"muscles_smaller": "yes", "age_at_start": "under_6_months", "family_history": "yes",
              "where_affected": ("hips_shoulders",)},
             {"numbness_or_tingling": "yes", "eye_symptoms": "yes", "comes_and_goes": "yes"}]
    for answers in cases:
        result = assess(kb, answers)
        for rule in kb.rules:
            assert evaluate(rule.when, result.answers, result.derived) == \
                (rule.id in result.fired), (rule.id, answers)


@pytest.mark.slow
def test_same_result_under_any_hash_seed() -> None:
    script = (
        "import json;from engine.load.knowledge_base import load_knowledge_base;"
        "from engine.run.assess import assess;kb=load_knowledge_base();"
        "cases=[{'weaker':'yes','inactivity':('cast',)},{'muscles_smaller':'yes',"
        "'where_affected':('hands','hips_shoulders'),'family_history':'yes'},"
        "{'swallowing_or_speech_trouble':'yes','weaker':'yes','onset':'over_days'}];"
        "print(json.dumps([[assess(kb,c).level.id,sorted(assess(kb,c).fired),"
        "[r.id for r in assess(kb,c).reading]] for c in cases]))")
    outputs = set()
    for seed in ("0", "1", "12345", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                              text=True, check=True, cwd=ROOT)
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert json.loads(outputs.pop())[0][0] == "routine"


def test_a_new_rule_in_yaml_takes_effect_without_python(rules_copy: Path) -> None:
    replace_in(rules_copy / "muscle_changes.rules.yaml", "rules:\n", """rules:
  - id: cramps_alone
    title: Cramps on their own
    when: {answer: twitching_or_cramps, is: yes}
    then: {level: soon, guidance: Mention the cramps to a doctor.}
    explanation: A test rule.
    sources: [article-symptoms]
""")
    kb = load_knowledge_base(rules_copy)
    result = assess(kb, {"twitching_or_cramps": "yes"})
    assert "cramps_alone" in result.fired
    assert "Mention the cramps to a doctor." in result.guidance


def test_push_not_keeps_meaning() -> None:
    from engine.run.rete import _push_not

    condition = NotOf(AllOf((AnswerTest("a", frozenset({"yes"})), NotOf(FactTest("f")))))
    pushed = _push_not(condition)
    for answers, facts in [({"a": "yes"}, set()), ({"a": "yes"}, {"f"}), ({}, set()),
                           ({"a": "no"}, {"f"})]:
        assert evaluate(pushed, answers, facts) == evaluate(condition, answers, facts)


@pytest.mark.parametrize("threads", [4])
def test_one_engine_per_thread(kb: KnowledgeBase, threads: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    cases = [{"weaker": "yes"}, {"sudden_one_sided": "yes"}, {"weaker": "yes",
             "inactivity": ("bed_rest",)}, {}] * 25
    expected = [assess(kb, c).level.id for c in cases]
    with ThreadPoolExecutor(threads) as pool:
        got = list(pool.map(lambda c: assess(kb, c).level.id, cases))
    assert got == expected


def test_importing_the_engine_leaves_logging_alone() -> None:
    """experta calls logging.basicConfig() at import; the adapter removes what it added."""
    script = ("import logging; before = len(logging.getLogger().handlers); import engine.run.rete; "
              "print(before, len(logging.getLogger().handlers))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert done.stdout.split() == ["0", "0"]


def test_only_the_adapter_imports_experta() -> None:
    root = ROOT
    importers = {str(path.relative_to(root)) for folder in ("engine", "questionnaire")
                 for path in (root / folder).rglob("*.py")
                 if "import experta" in path.read_text() or "from experta" in path.read_text()}
    assert importers == {"engine/run/rete.py"}
