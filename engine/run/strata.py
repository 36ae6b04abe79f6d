"""Rule strata: the order that makes ``not`` over derived facts well defined.

A rule that reads ``not fact: x`` must not fire before every rule that could derive ``x`` has had
its chance. Rules are layered so that a rule sits above every rule whose facts it reads, and
strictly above those whose facts it reads under ``not``. The experta compiler turns strata into
salience; the reference evaluator runs them in order. Validation refuses cycles through ``not``.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.conditions import facts_read
from engine.model import Rule


def strata(rules: Sequence[Rule]) -> dict[str, int]:
    """Stratum of each rule id (0 = runs first). Assumes no cycle through a negation."""
    derivers: dict[str, list[str]] = {}
    for rule in rules:
        for fact in rule.then.derive:
            derivers.setdefault(fact, []).append(rule.id)
    reads = {rule.id: facts_read(rule.when) for rule in rules}
    level = dict.fromkeys(reads, 0)
    for _ in range(len(rules) + 1):
        changed = False
        for rule_id, facts in reads.items():
            for fact, negated in facts.items():
                for other in derivers.get(fact, ()):
                    need = level[other] + (1 if negated else 0)
                    if level[rule_id] < need:
                        level[rule_id] = need
                        changed = True
        if not changed:
            return level
    raise ValueError("rules depend on the absence of their own conclusions")
