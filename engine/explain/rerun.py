"""Answer changes re-evaluated against a base assessment, re-running only the rules they reach.

The safety net tries every single new sign on a result and the what-if search tries thousands of
sets of changes; each is a run of the reference evaluator. A rule can only fire differently when
an answer it depends on changes (the questions its condition reads, through the rules deriving
the facts it needs, and the ask_if of each such question), so only those rules are re-run, from
the others' results on the base answers. Measured (tests/bench/explain_bench.py, 1,000 sampled
sets): at 500 rules a safety net takes 33 ms median against 323 ms when every sign re-runs every
rule, the difference between an assess that feels instant and one that lags.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, lru_cache

from engine.conditions import facts_read, questions_read
from engine.model import AnswerValue, KnowledgeBase
from engine.verify.reference import CompiledRule, reference_for

#: Rules to re-run (by layer), and the fired rules, facts and level rank to start from.
Plan = tuple[tuple[tuple[CompiledRule, ...], ...], frozenset[str], frozenset[str], int]


@cache
def depends_on(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    """Rule id -> every question whose answer can change whether the rule fires.

    The questions its condition reads, those of every rule deriving a fact it reads (to a
    fixpoint, so cycles are fine), and the ask_if questions of all of them, transitively.
    """
    derivers: dict[str, list[str]] = {}
    for rule in kb.rules:
        for fact in rule.then.derive:
            derivers.setdefault(fact, []).append(rule.id)
    found = {rule.id: set(questions_read(rule.when)) for rule in kb.rules}
    feeds = {rule.id: [other for fact in facts_read(rule.when) for other in derivers.get(fact, ())]
             for rule in kb.rules}
    changed = True
    while changed:
        changed = False
        for rule in kb.rules:
            mine = found[rule.id]
            for other in feeds[rule.id]:
                if not found[other] <= mine:
                    mine |= found[other]
                    changed = True
    gates = {q.id: questions_read(q.ask_if) for q in kb.questions}
    for questions in found.values():
        todo = list(questions)
        while todo:
            for gate in gates[todo.pop()]:
                if gate not in questions:
                    questions.add(gate)
                    todo.append(gate)
    return {rule_id: frozenset(questions) for rule_id, questions in found.items()}


@cache
def rule_ranks(kb: KnowledgeBase) -> dict[str, int]:
    """Rule id -> the rank of the level it sets, or -1."""
    return {rule.id: kb.level(rule.then.level).rank if rule.then.level else -1
            for rule in kb.rules}


@cache
def _reached_by(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    """Question id -> the rules depending on it."""
    found: dict[str, set[str]] = {q.id: set() for q in kb.questions}
    for rule_id, questions in depends_on(kb).items():
        for question in questions:
            found[question].add(rule_id)
    return {question: frozenset(rules) for question, rules in found.items()}


@lru_cache(maxsize=4096)
def _affected(kb: KnowledgeBase, questions: frozenset[str]
              ) -> tuple[frozenset[str], tuple[tuple[CompiledRule, ...], ...]]:
    """The rules changes to these questions can reach, and those rules' layers: the same for
    every answer set, so kept across assessments (a safety net asks for one question at a time)."""
    reached = _reached_by(kb)
    affected = frozenset().union(*(reached[q] for q in questions))
    layers = tuple(tuple(rule for rule in layer if rule[0] in affected)
                   for layer in reference_for(kb).layers)
    return affected, layers


class Rerun:
    """The base answers' run, and re-runs of changed answers from it."""

    def __init__(self, kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> None:
        self.kb = kb
        self.evaluator = reference_for(kb)
        self.depends = depends_on(kb)
        self.rule_rank = rule_ranks(kb)
        kept, _ = self.evaluator.applicable(answers)
        self.base_fired = frozenset(self.evaluator.run(kept)[0])
        self.plans: dict[frozenset[str], Plan] = {}

    def run(self, changed: Mapping[str, AnswerValue], questions: frozenset[str]
            ) -> tuple[int, frozenset[str]]:
        """(level rank, fired rules) for the changed answers; ``questions`` are those changed."""
        kept, _ = self.evaluator.applicable(changed)
        return self.run_kept(kept, questions)

    def run_kept(self, kept: Mapping[str, AnswerValue], questions: frozenset[str]
                 ) -> tuple[int, frozenset[str]]:
        """``run`` for changed answers already split by ask_if (only those that count)."""
        layers, start_fired, start_facts, start_rank = self.plan(questions)
        fired, _, rank = self.evaluator.run_layers(layers, kept, set(start_fired),
                                                   set(start_facts), start_rank)
        return rank, frozenset(fired)

    def plan(self, questions: frozenset[str]) -> Plan:
        """Only rules depending on a changed question can fire differently: the others keep
        what they did on the base answers (the rules deriving their facts depend on no more)."""
        known = self.plans.get(questions)
        if known is not None:
            return known
        affected, layers = _affected(self.kb, questions)
        kept_fired = self.base_fired - affected
        facts = frozenset(fact for rule_id in kept_fired
                          for fact in self.kb.rule(rule_id).then.derive)
        rank = max((self.rule_rank[r] for r in kept_fired), default=-1)
        plan = (layers, kept_fired, facts, max(rank, self.evaluator.default_rank))
        self.plans[questions] = plan
        return plan
