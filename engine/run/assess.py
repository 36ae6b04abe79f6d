"""assess(answers) -> Assessment: the one entry point from answers to a result.

Answers become facts, the compiled network runs, and the fired rules are folded into a result:
the urgency is the highest level any fired rule reached (levels only ever combine by maximum, so
one more warning sign can never lower it), guidance and reading are collected from the fired
rules, and the trace says what made each rule fire. Every result also carries its safety net
(engine/explain/safety_net.py): the warning signs that would raise it. Pure: no input, output or
exit.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from engine.explain.reasons import because, concluded
from engine.model import AnswerValue, Assessment, KnowledgeBase, Rule, TraceStep
from engine.run.answers import applicable
from engine.run.strata import dependencies

if TYPE_CHECKING:  # experta is imported when a network is first compiled, not at start-up
    from engine.run.rete import CompiledNetwork
    from engine.run.watch import EventSink

_networks: weakref.WeakKeyDictionary[KnowledgeBase, CompiledNetwork] = (
    weakref.WeakKeyDictionary())


def network_for(kb: KnowledgeBase) -> CompiledNetwork:
    """The compiled network of a knowledge base, compiled once per process.

    Its versions for other audiences differ only in wording, so they share one network.
    """
    kb = kb.for_audience("self")
    network = _networks.get(kb)
    if network is None:
        from engine.run.rete import CompiledNetwork

        network = CompiledNetwork(kb)
        _networks[kb] = network
    return network


def rules_behind_top(kb: KnowledgeBase) -> tuple[Rule, ...]:
    """The rules that reach the highest level and, through the facts they read, every rule that
    derives one of those facts (and so on), in knowledge base order.

    They alone decide whether an assessment reaches the highest level: a rule outside them
    derives no fact they read and reaches a lower level, so it changes neither whether one of
    them fires nor the level they reach.
    """
    graph = dependencies(kb.rules)
    behind: set[str] = set()
    waiting = [rule.id for rule in kb.rules if rule.then.level == kb.levels[0].id]
    while waiting:
        rule_id = waiting.pop()
        if rule_id not in behind:
            behind.add(rule_id)
            waiting += [deriver for deriver, _negated in graph[rule_id]]
    return tuple(rule for rule in kb.rules if rule.id in behind)


_top_networks: weakref.WeakKeyDictionary[KnowledgeBase, CompiledNetwork] = (
    weakref.WeakKeyDictionary())


def reaches_top(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> bool:
    """Whether an assessment of checked answers reaches the highest level (an emergency stop),
    by the experta network of ``rules_behind_top`` alone, compiled once per process.

    Pays: what a question page steers by (questionnaire/web/forms.py). After a symptom is
    reported most fired rules lie outside them: on the shipped rules (27 of 54) a run at the
    35th and 45th answers of a walk with a muscle change took 0.66 and 0.41 ms against 1.19 and
    1.36 ms for the whole network (medians of 1,000 runs, side by side).
    """
    kb = kb.for_audience("self")
    network = _top_networks.get(kb)
    if network is None:
        from engine.run.rete import CompiledNetwork

        network = CompiledNetwork(replace(kb, rules=rules_behind_top(kb)))
        _top_networks[kb] = network
    top = kb.levels[0].id
    kept, _ = applicable(kb, answers)
    return any(kb.rule(rule_id).then.level == top for rule_id in network.run(kept).fired)


def fold(kb: KnowledgeBase, answers: Mapping[str, AnswerValue], fired: frozenset[str],
         derived: frozenset[str], ignored: tuple[str, ...] = ()) -> Assessment:
    """Build the Assessment from the set of fired rules (whatever engine decided them).

    Its texts are worded for whom the answers are about, so no renderer needs to ask.
    """
    kb = kb.for_answers(answers)
    rules = [rule for rule in kb.rules if rule.id in fired]
    level = kb.level(kb.default_level)
    for rule in rules:
        if rule.then.level and kb.level(rule.then.level).rank > level.rank:
            level = kb.level(rule.then.level)

    def weight(rule: Rule) -> int:
        return -kb.level(rule.then.level).rank if rule.then.level else 0

    ordered = sorted(rules, key=weight)  # stable: keeps knowledge base order within a level
    guidance: list[str] = []
    for rule in ordered:
        if level.only_what_to_do_now and rule.then.level != level.id:
            continue
        if rule.then.guidance and rule.then.guidance not in guidance:
            guidance.append(rule.then.guidance)
    topics = set() if level.only_what_to_do_now else {t for rule in rules
                                                       for t in rule.then.reading}
    trace = tuple(TraceStep(rule, tuple(because(kb, rule.when, answers, derived)),
                            tuple(concluded(rule))) for rule in ordered)
    return Assessment(
        level=level, notice=kb.notice, guidance=tuple(guidance),
        reading=tuple(item for item in kb.reading if item.id in topics), trace=trace,
        answers=dict(answers), derived=derived, ignored=ignored)


def assess(kb: KnowledgeBase, answers: Mapping[str, AnswerValue],
           watch: EventSink | None = None, *, with_safety_net: bool = True) -> Assessment:
    """Assess checked answers (see engine.run.answers.normalise_answers) with the experta network.

    With ``watch``, each engine event of the run is handed to it as it happens
    (engine/run/watch.py); the result is the same either way.

    ``with_safety_net=False`` leaves the safety net empty: for a caller that only needs the
    level to steer the questions (the web question pages, questionnaire/web/forms.py) and shows
    no result. The safety net re-runs the rules once per possible new sign, so it is about two
    thirds of an assessment part-way through the questions (1.1 of 1.75 ms at the 12th answer
    on the shipped rules).
    """
    kept, ignored = applicable(kb, answers)
    network = network_for(kb)
    if watch is None:
        result = network.run(kept)
    else:
        from engine.run.watch import watching  # teaching mode only

        with watching(network, watch):
            result = network.run(kept)
    assessment = fold(kb, kept, frozenset(result.fired), result.derived, ignored)
    return add_safety_net(kb, assessment) if with_safety_net else assessment


def add_safety_net(kb: KnowledgeBase, assessment: Assessment) -> Assessment:
    """The assessment with its safety net filled in, as ``assess`` gives it by default.

    For a caller that assessed without one to steer the questions and now shows the result:
    the safety net is derived from the assessment alone, so the network need not run again.
    """
    # Imported here: safety_net runs the reference evaluator, which imports fold from this module.
    from engine.explain.safety_net import safety_net

    return replace(assessment, safety_net=safety_net(kb, assessment))
