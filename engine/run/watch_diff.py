"""Two watched runs compared: what one changed answer does to the engine's own events.

Teaching mode's "what if": `demo NAME --what-if QUESTION=VALUE` runs a case as written and again
with the answer changed, collecting engine/run/watch.py's events from both, and this module says
what differs: activations that appeared or vanished, rules that fired only in one run, and
whether the rules both runs fired came in another order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from engine.run.watch import Event, RuleActivated, RuleDeactivated, RuleFired


@dataclass(frozen=True)
class RunDiff:
    """What the second run did differently, rule ids in the order the runs met them."""

    activations_appeared: tuple[str, ...]
    activations_vanished: tuple[str, ...]
    deactivations_appeared: tuple[str, ...]
    deactivations_vanished: tuple[str, ...]
    fired_only_after: tuple[str, ...]
    fired_only_before: tuple[str, ...]
    #: The firings both runs share, in each run's order (equal when the order did not change).
    shared_order_before: tuple[str, ...]
    shared_order_after: tuple[str, ...]

    @property
    def order_changed(self) -> bool:
        return self.shared_order_before != self.shared_order_after


def _multiset_minus(ours: list[str], theirs: list[str]) -> tuple[str, ...]:
    """Items of ``ours`` beyond their count in ``theirs``, in our order (a rule with an ``any``
    activates once per branch that holds, so counts matter)."""
    spare = Counter(ours) - Counter(theirs)
    found = []
    for item in ours:
        if spare[item] > 0:
            found.append(item)
            spare[item] -= 1
    return tuple(found)


def _firings(events: list[Event]) -> list[str]:
    return [e.rule for e in events if isinstance(e, RuleFired) and not e.repeat]


def diff_runs(before: list[Event], after: list[Event]) -> RunDiff:
    """Compare the events of two runs of the same knowledge base."""
    def of(events: list[Event], kind: type[RuleActivated] | type[RuleDeactivated]) -> list[str]:
        return [e.rule for e in events if isinstance(e, (RuleActivated, RuleDeactivated))
                and isinstance(e, kind)]

    fired_before, fired_after = _firings(before), _firings(after)
    shared = set(fired_before) & set(fired_after)
    return RunDiff(
        activations_appeared=_multiset_minus(of(after, RuleActivated), of(before, RuleActivated)),
        activations_vanished=_multiset_minus(of(before, RuleActivated), of(after, RuleActivated)),
        deactivations_appeared=_multiset_minus(of(after, RuleDeactivated),
                                               of(before, RuleDeactivated)),
        deactivations_vanished=_multiset_minus(of(before, RuleDeactivated),
                                               of(after, RuleDeactivated)),
        fired_only_after=tuple(r for r in fired_after if r not in shared),
        fired_only_before=tuple(r for r in fired_before if r not in shared),
        shared_order_before=tuple(r for r in fired_before if r in shared),
        shared_order_after=tuple(r for r in fired_after if r in shared))
