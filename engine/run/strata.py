"""Rule dependencies: which rule reads which rule's facts, and the orders that follow from it.

A rule that reads ``not fact: x`` must not fire before every rule that could derive ``x`` has had
its chance. Rules are layered so that a rule sits above every rule whose facts it reads, and
strictly above those whose facts it reads under ``not``. The experta compiler turns strata into
salience; the reference evaluator runs them in order, or in one pass along ``dependency_order``
when no rule depends on itself; the cross-checks refuse a cycle through ``not``
(``negation_cycles``). All three read the one dependency graph built here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from engine.conditions import facts_read
from engine.model import Rule

#: Rule id -> the rules it depends on (those deriving a fact it reads), each with whether the
#: fact is read under a ``not``. Keys are in knowledge base order.
Dependencies = dict[str, list[tuple[str, bool]]]


def dependencies_of(shapes: Iterable[tuple[str, Mapping[str, bool], Iterable[str]]]
                    ) -> Dependencies:
    """The graph from (rule id, facts read -> negated?, facts derived), one triple per rule.

    Takes bare triples so the cross-checks can ask before a typed Rule exists.
    """
    triples = list(shapes)
    derivers: dict[str, list[str]] = {}
    for rule_id, _reads, derives in triples:
        for fact in derives:
            derivers.setdefault(fact, []).append(rule_id)
    return {rule_id: [(other, negated) for fact, negated in reads.items()
                      for other in derivers.get(fact, ())]
            for rule_id, reads, _derives in triples}


def dependencies(rules: Sequence[Rule]) -> Dependencies:
    return dependencies_of((rule.id, facts_read(rule.when), rule.then.derive) for rule in rules)


def strata(rules: Sequence[Rule]) -> dict[str, int]:
    """Stratum of each rule id (0 = runs first). Assumes no cycle through a negation."""
    graph = dependencies(rules)
    level = dict.fromkeys(graph, 0)
    for _ in range(len(graph) + 1):
        changed = False
        for rule_id, needs in graph.items():
            for other, negated in needs:
                need = level[other] + (1 if negated else 0)
                if level[rule_id] < need:
                    level[rule_id] = need
                    changed = True
        if not changed:
            return level
    raise ValueError("rules depend on the absence of their own conclusions")


def dependency_order(rules: Sequence[Rule]) -> list[str] | None:
    """Rule ids with every rule after the rules whose facts it reads; None when that has a cycle.

    In such an order one pass computes the same fixpoint as the stratum-by-stratum loop.
    """
    needs = {rule_id: {other for other, _ in edges}
             for rule_id, edges in dependencies(rules).items()}
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(needs):
        ready = [rule_id for rule_id in needs if rule_id not in placed and needs[rule_id] <= placed]
        if not ready:
            return None
        order.extend(ready)
        placed.update(ready)
    return order


def negation_cycles(graph: Dependencies) -> list[str]:
    """Rules that sit on a dependency cycle passing through a ``not``, in graph order."""
    bad = []
    for rule in graph:
        # Is there a path rule -> ... -> rule using at least one negated edge?
        stack = list(graph[rule])
        seen: set[tuple[str, bool]] = set()
        while stack:
            node, neg = stack.pop()
            if (node, neg) in seen:
                continue
            seen.add((node, neg))
            if node == rule and neg:
                bad.append(rule)
                break
            stack.extend((dep, neg or dep_neg) for dep, dep_neg in graph[node])
    return bad
