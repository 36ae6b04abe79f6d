"""What would change it: for each other urgency level, the smallest sets of answer changes that
reach it, found exactly (for educators; a person's own result never shows this).

A change is one step a person could take on the questionnaire: another answer to a yes/no or
one-of question (or a first answer to one left unanswered), or one option ticked or unticked on a
several-of question. Answers are never withdrawn. Changes apply with ask_if respected, so a change
can open a question (it would now be asked) or set another answer aside (it would no longer be
asked); each set says so.

The search is exact: iterative deepening by the number of changes, run with the reference
evaluator, and conflict-directed, as in Reiter's hitting-set search for diagnoses. Every answer
test a rule depends on (through the rules deriving the facts it reads, and the ask_if of every
question read) carries a sign, and a rule is monotone in its signed tests, so only a change that
moves one of them the right way can turn it over (``rule_parts``, ``_Search.movers``). At a set
of changes that gives too high a level, every fired rule above the target must stop: the search
branches on the one with the fewest stopping changes. Too low a level: some silent rule at the
target must start, and each part of its condition now false needs a change of its own. With one
change left it must do everything at once, looking through the facts the parts read (a fact
turns false only when every fired rule deriving it stops). Rules or parts whose changes share
nothing give a lower bound. Every set of the smallest size is found, and none of its proper
subsets reaches the level (they are smaller, and the smaller sizes were searched in full). The
search stops at ``max_changes`` changes or ``budget`` evaluations, whichever comes first, and
says so; the time bound is the budget times one evaluation.

The pruning is hand-written machinery, and it buys this (tests/bench/explain_bench.py, 1,000
sampled sets, the search before it timed in the same run on the same sets, on a shared 2-core
machine, load average 6 falling to 2): on the shipped knowledge base the worst search fell from
13.0 s (56 searches cut short at 10,000 evaluations) to 0.45 s (at most 1,222 evaluations, none
cut short), the 95th percentile from 0.83 s to 74 ms; at 500 rules the worst from 4.9 s to
0.81 s (at most 968 evaluations; 6 were cut short before), the 95th percentile from 0.58 s to
79 ms. Medians stay near 10 ms. Both found the same sets on every answer set neither cut short.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from engine.conditions import evaluate, leaves
from engine.explain.rerun import Rerun
from engine.model import (
    AllOf,
    AnswerTest,
    AnswerValue,
    Assessment,
    Condition,
    FactTest,
    KnowledgeBase,
    Level,
    NotOf,
    Question,
)

#: How many changes a set may have, and how many answer sets one what-if may evaluate.
MAX_CHANGES = 4
BUDGET = 10_000
#: Last changes few enough to evaluate each rather than work out which can start a target rule
#: (at 500 rules that takes longer than a dozen evaluations); either way the sets are the same.
FEW = 12


@dataclass(frozen=True, order=True)
class Change:
    """One answer change: ``set`` a single-valued answer, or ``add``/``remove`` one option."""

    question: str
    action: Literal["add", "remove", "set"]
    value: str


@dataclass(frozen=True)
class ChangeSet:
    """A smallest set of changes reaching a level, and what it does to the questionnaire."""

    changes: tuple[Change, ...]
    #: Questions the changes would newly have asked (their ask_if turns true).
    opens: tuple[str, ...]
    #: Given answers the changes would set aside (their question would no longer be asked).
    sets_aside: tuple[str, ...]
    fires: tuple[str, ...]
    stops: tuple[str, ...]


@dataclass(frozen=True)
class LevelChanges:
    """For one level: the smallest sets of changes reaching it, or how far the search went.

    ``size`` is the number of changes in each set (None: none found). ``searched`` is the largest
    size searched in full: with no sets found, no set of up to that many changes reaches the level;
    with sets found and ``searched`` below ``size``, the budget ran out while listing them, so
    other sets of that size may exist (``all_listed`` is False).
    """

    level: Level
    size: int | None
    sets: tuple[ChangeSet, ...]
    searched: int

    @property
    def all_listed(self) -> bool:
        return self.size is None or self.searched >= self.size


@dataclass(frozen=True)
class WhatIf:
    levels: tuple[LevelChanges, ...]
    evaluations: int


def candidate_changes(question: Question, current: AnswerValue | None) -> list[Change]:
    """Every single change to one question's answer (never withdrawing it)."""
    if question.kind == "several_of":
        chosen = set(current or ())
        return [Change(question.id, "remove" if option in chosen else "add", option)
                for option in question.values]
    return [Change(question.id, "set", value) for value in question.values if value != current]


def apply(kb: KnowledgeBase, answers: Mapping[str, AnswerValue], changes: Iterable[Change]
          ) -> dict[str, AnswerValue]:
    """The answers with the changes made (before ask_if sets any aside)."""
    result = dict(answers)
    for change in sorted(changes):
        if change.action == "set":
            result[change.question] = change.value
            continue
        chosen = set(result.get(change.question, ()))
        if change.action == "add":
            chosen.add(change.value)
        else:
            chosen.discard(change.value)
        result[change.question] = tuple(sorted(chosen))
    return result


#: One answer test a condition depends on: (question, values, +1 when the condition can only
#: become truer as the test does, -1 when it sits under a ``not``).
Signed = tuple[str, frozenset[str], int]
#: Question id -> the signed tests on it (values, sign) that one condition depends on.
Tests = dict[str, tuple[tuple[frozenset[str], int], ...]]
#: A rule's condition cut into the parts of its top-level ``all`` (or one part, the whole
#: condition), each with the signed tests it depends on.
Parts = tuple[tuple[Condition, Tests], ...]


@cache
def rule_parts(kb: KnowledgeBase) -> dict[str, Parts]:
    """Rule id -> its condition's parts, each with every answer test it depends on and its sign.

    A part depends on the tests it reads, on those of the rules deriving the facts it reads (the
    sign flipped under ``not``, to a fixpoint) and on those of the ask_if of every question read
    so: a test only holds when its question is asked, so the ask_if's tests count with the
    test's own sign. A condition is monotone in its signed tests (``all`` and ``any`` are, and
    strata put every ``not`` over facts below the rule), so a set of changes can only turn a
    part from false to true (or back) by moving one of them that way: the search's pruning.
    """
    def signed(condition: Condition | None) -> tuple[set[Signed], set[tuple[str, int]]]:
        tests: set[Signed] = set()
        facts: set[tuple[str, int]] = set()
        if condition is None:
            return tests, facts
        for leaf, negated in leaves(condition):
            sign = -1 if negated else 1
            if isinstance(leaf, AnswerTest):
                tests.add((leaf.question, leaf.values, sign))
            else:
                facts.add((leaf.fact, sign))
        return tests, facts

    gates: dict[str, set[Signed]] = {}
    for question in kb.questions:  # an ask_if reads earlier questions, whose gates are known
        own, _ = signed(question.ask_if)  # an ask_if never sees facts
        gates[question.id] = own | {(q, values, sign * inner) for gate, _, sign in own
                                    for q, values, inner in gates.get(gate, ())}

    def gated(tests: set[Signed]) -> set[Signed]:
        return tests | {(q, values, sign * inner) for question, _, sign in tests
                        for q, values, inner in gates.get(question, ())}

    derivers: dict[str, list[str]] = {}
    for rule in kb.rules:
        for fact in rule.then.derive:
            derivers.setdefault(fact, []).append(rule.id)

    def through(facts: set[tuple[str, int]], found: dict[str, set[Signed]]) -> set[Signed]:
        return {(q, values, sign * inner) for fact, sign in facts
                for other in derivers.get(fact, ()) for q, values, inner in found[other]}

    found: dict[str, set[Signed]] = {}
    reads: dict[str, set[tuple[str, int]]] = {}
    for rule in kb.rules:
        tests, facts = signed(rule.when)
        found[rule.id] = gated(tests)
        reads[rule.id] = facts
    changed = True
    while changed:  # the whole rules' tests, through the facts they read
        changed = False
        for rule in kb.rules:
            more = through(reads[rule.id], found)
            if not more <= found[rule.id]:
                found[rule.id] |= more
                changed = True

    def grouped(tests: set[Signed]) -> Tests:
        by_question: dict[str, list[tuple[frozenset[str], int]]] = {}
        for question_id, values, sign in sorted(tests, key=lambda t: (t[0], sorted(t[1]), t[2])):
            by_question.setdefault(question_id, []).append((values, sign))
        return {q: tuple(signs) for q, signs in by_question.items()}

    parts: dict[str, Parts] = {}
    for rule in kb.rules:
        pieces = rule.when.parts if isinstance(rule.when, AllOf) else (rule.when,)
        cut = []
        for piece in pieces:
            tests, facts = signed(piece)
            cut.append((piece, grouped(gated(tests) | through(facts, found))))
        parts[rule.id] = tuple(cut)
    return parts


@dataclass
class _LastStep:
    """One node's state while its last change is worked out, and the rules turned so far."""

    current: Mapping[str, AnswerValue]
    kept: Mapping[str, AnswerValue]
    facts: set[str]
    fired: frozenset[str]
    taken: set[object]
    turned: dict[tuple[str, bool], set[Change]] = field(default_factory=dict)
    trail: set[str] = field(default_factory=set)


#: What the search keeps of one evaluation: level rank, fired rules, the answers that counted.
Outcome = tuple[int, frozenset[str], dict[str, AnswerValue]]


class _Search:
    """One what-if: the base answers, the evaluations cached, the budget left."""

    def __init__(self, kb: KnowledgeBase, answers: Mapping[str, AnswerValue], budget: int) -> None:
        self.kb = kb
        self.answers = dict(answers)
        self.rerun = Rerun(kb, answers)
        self.evaluator = self.rerun.evaluator
        self.rule_rank = self.rerun.rule_rank
        self.parts = rule_parts(kb)
        self.derivers: dict[str, list[str]] = {}
        for rule in kb.rules:
            for fact in rule.then.derive:
                self.derivers.setdefault(fact, []).append(rule.id)
        self.several = {q.id for q in kb.questions if q.kind == "several_of"}
        self.order = {q.id: index for index, q in enumerate(kb.questions)}
        self.changes = {q.id: candidate_changes(q, answers.get(q.id)) for q in kb.questions}
        self.budget = budget
        self.evaluations = 0
        self.cache: dict[frozenset[Change], Outcome] = {}
        self.by_answers: dict[frozenset[tuple[str, AnswerValue]], tuple[int, frozenset[str]]] = {}
        self.was_open: set[str] | None = None
        #: (changes, target rank, one change left) -> the node's branches and lower bound.
        self.branched: dict[tuple[frozenset[Change], int, bool], tuple[list[Change], int]] = {}

    def run(self, chosen: frozenset[Change]) -> Outcome | None:
        """What the answers give after the changes; None once the budget is spent.

        Two sets of changes that leave the same answers counting (a change to a question its
        other changes set aside counts for nothing) share one evaluation.
        """
        known = self.cache.get(chosen)
        if known is not None:
            return known
        kept, _ = self.evaluator.applicable(apply(self.kb, self.answers, chosen))
        key = frozenset(kept.items())
        result = self.by_answers.get(key)
        if result is None:
            if self.evaluations >= self.budget:
                return None
            self.evaluations += 1
            result = self.rerun.run_kept(kept, frozenset(c.question for c in chosen))
            self.by_answers[key] = result
        self.cache[chosen] = (*result, kept)
        return self.cache[chosen]

    def movers(self, tests: Tests, current: Mapping[str, AnswerValue], start: bool,
               taken: set[object]) -> set[Change]:
        """The changes, not yet taken, that move one of the tests the way that can make their
        condition true (``start``) or false: any set of changes turning it over holds one."""
        found: set[Change] = set()
        for question, signs in tests.items():
            value = current.get(question)
            several = question in self.several
            for values, sign in signs:
                if value is None:
                    held = False
                elif several:
                    held = not values.isdisjoint(value)
                else:
                    held = value in values
                if held == (start == (sign > 0)):
                    continue  # this test can only move the wrong way
                for change in self.changes[question]:
                    if _key(change, self.several) in taken or change in found:
                        continue
                    if several:
                        if change.value in values and (change.action == "add") != held:
                            found.add(change)
                    elif (change.value in values) != held:
                        found.add(change)
        return found

    def stoppers(self, rule_id: str, current: Mapping[str, AnswerValue], taken: set[object]
                 ) -> set[Change]:
        """The changes one of which any set stopping a fired rule holds (some part must fail)."""
        return set().union(*(self.movers(tests, current, False, taken)
                             for _, tests in self.parts[rule_id]))

    def starters(self, target: int, outcome: Outcome, current: Mapping[str, AnswerValue],
                 taken: set[object]) -> tuple[set[Change], int]:
        """(changes one of which any set starting one of the target's silent rules holds, the
        fewest changes that can start one).

        A silent rule starts only when every part now false turns true, each by a change of its
        own movers: so a set starting it holds one of the part with the fewest, and parts with
        disjoint movers need a change each.
        """
        _, fired, kept = outcome
        facts = {fact for rule_id in fired for fact in self.kb.rule(rule_id).then.derive}
        found: set[Change] = set()
        fewest = sys.maxsize
        for rule in self.kb.rules:
            if self.rule_rank[rule.id] != target or rule.id in fired:
                continue
            needs = sorted((self.movers(tests, current, True, taken)
                            for part, tests in self.parts[rule.id]
                            if not evaluate(part, kept, facts)), key=len)
            if not needs:  # never so after a run (it would have fired): no pruning, to be safe
                return {c for changes in self.changes.values() for c in changes
                        if _key(c, self.several) not in taken}, 1
            if not needs[0]:
                continue  # a part no change left can turn true: this rule cannot start
            found |= needs[0]
            fewest = min(fewest, _packing(needs))
        return found, fewest

    def turn(self, rule_id: str, stop: bool, state: _LastStep) -> set[Change]:
        """With one change left: the changes that can stop a fired rule (``stop``) or start a
        silent one, looking through the facts its parts read.

        Stopping needs one part to fail, starting needs every failing part to hold (see
        ``part_turn``). Kept per node and rule; a rule met again through a cycle of facts falls
        back to its movers.
        """
        known = state.turned.get((rule_id, stop))
        if known is not None:
            return known
        parts = self.parts[rule_id]
        if rule_id in state.trail:
            return set().union(*(self.movers(tests, state.current, not stop, state.taken)
                                 for _, tests in parts))
        state.trail.add(rule_id)
        found: set[Change] = set()
        if stop:
            for part, tests in parts:
                found |= self.part_turn(part, tests, False, state)
        else:
            needs = [self.part_turn(part, tests, True, state) for part, tests in parts
                     if not evaluate(part, state.kept, state.facts)]
            if needs:
                found = needs[0].intersection(*needs[1:])
            else:  # never so after a run (it would have fired): no pruning, to be safe
                found = {c for changes in self.changes.values() for c in changes
                         if _key(c, self.several) not in state.taken}
        state.trail.discard(rule_id)
        state.turned[(rule_id, stop)] = found
        return found

    def part_turn(self, part: Condition, tests: Tests, make_true: bool, state: _LastStep
                  ) -> set[Change]:
        """With one change left: the changes that can turn one part of a rule true or false.

        A fact (or ``not`` a fact) turns false when every fired rule deriving it stops, true
        when one of its rules starts (the other way round under the ``not``); any other part
        turns only through its movers.
        """
        fact = part.fact if isinstance(part, FactTest) else (
            part.part.fact if isinstance(part, NotOf) and isinstance(part.part, FactTest)
            else None)
        if fact is None:
            return self.movers(tests, state.current, make_true, state.taken)
        derive = make_true == isinstance(part, FactTest)  # the fact must become derived
        derivers = self.derivers.get(fact, ())
        if derive:
            return set().union(*(self.turn(d, False, state) for d in derivers
                                 if d not in state.fired))
        each = [self.turn(d, True, state) for d in derivers if d in state.fired]
        return each[0].intersection(*each[1:]) if each else set()

    def last_step(self, target: int, outcome: Outcome, current: Mapping[str, AnswerValue],
                  taken: set[object]) -> set[Change]:
        """The single changes that can still give the target level: every fired rule above it
        must stop, and some rule at it must fire (one already firing may go on, or the target
        is the default level, else a silent one must start)."""
        _, fired, kept = outcome
        facts = {fact for rule_id in fired for fact in self.kb.rule(rule_id).then.derive}
        state = _LastStep(current, kept, facts, fired, taken)
        blocking = [r for r in sorted(fired) if self.rule_rank[r] > target]
        chosen: set[Change] | None = None
        for rule_id in blocking:
            stops = self.turn(rule_id, True, state)
            chosen = stops if chosen is None else chosen & stops
            if not chosen:
                return set()
        if (chosen is None or len(chosen) > FEW) and target > self.evaluator.default_rank \
                and not any(self.rule_rank[r] == target for r in fired):
            starts = set().union(*(self.turn(r.id, False, state) for r in self.kb.rules
                                   if self.rule_rank[r.id] == target))
            chosen = starts if chosen is None else chosen & starts
        if chosen is None:  # nothing to stop or start: any change keeps the level (or not)
            chosen = {c for changes in self.changes.values() for c in changes
                      if _key(c, self.several) not in taken}
        return chosen

    def branches(self, target: int, outcome: Outcome, current: Mapping[str, AnswerValue],
                 taken: set[object], left: int) -> tuple[list[Change], int]:
        """(the changes one of which every solution extending the current set must contain, a
        lower bound on how many more changes a solution needs); ``left`` changes may be added.

        Too high: each fired rule above the target needs one of its stoppers, so branch on the
        rule with the fewest; with one change left it must stop them all at once (and start a
        target rule if none fires). Too low: a silent rule at the target must start.
        """
        rank, fired, _ = outcome
        if left == 1:
            chosen, bound = self.last_step(target, outcome, current, taken), 1
        elif rank > target:  # every fired rule above the target must stop
            stoppers = sorted((self.stoppers(r, current, taken) for r in sorted(fired)
                               if self.rule_rank[r] > target), key=len)
            bound = _packing(stoppers)
            chosen = stoppers[0]
        else:  # some rule at the target must start
            chosen, bound = self.starters(target, outcome, current, taken)
        if not chosen:
            return [], 0  # no way on from here
        return sorted(chosen, key=lambda c: (self.order[c.question], c)), bound

    def level(self, target: int, max_changes: int) -> tuple[int | None, list[frozenset[Change]],
                                                            int]:
        """(size, the sets of that size reaching the target rank, largest size searched in full)."""
        searched = 0
        for depth in range(1, max_changes + 1):
            found: set[frozenset[Change]] = set()
            visited: set[frozenset[Change]] = set()
            complete = self._deepen(frozenset(), depth, target, found, visited)
            if complete:
                searched = depth
            if found:
                return depth, sorted(found, key=lambda s: sorted(s)), searched
            if not complete:
                break
        return None, [], searched

    def _deepen(self, chosen: frozenset[Change], depth: int, target: int,
                found: set[frozenset[Change]], visited: set[frozenset[Change]]) -> bool:
        """Depth-first to ``depth`` changes; False when the budget ran out on the way."""
        if chosen in visited:
            return True
        visited.add(chosen)
        outcome = self.run(chosen)
        if outcome is None:
            return False
        rank = outcome[0]
        # A set that ticks an answer going alone beside others ("Not sure" and "Hands") is one
        # the questionnaire refuses: never a solution, but a step towards one (untick it next).
        accepted = rank == target and self.accepted(chosen)
        if len(chosen) == depth:
            if accepted:
                found.add(chosen)
            return True
        if accepted:
            return True  # reached with fewer changes (only after a cut-short shallower search)
        left = depth - len(chosen)
        known = self.branched.get((chosen, target, left == 1))
        if known is None:  # the same at every depth the node is met at, bar the last change
            if rank == target:  # reached, but with a refused tick: every extension must mend it
                known = self.unticks(chosen)
            else:
                taken = {_key(c, self.several) for c in chosen}
                current = apply(self.kb, self.answers, chosen)
                known = self.branches(target, outcome, current, taken, left)
            self.branched[(chosen, target, left == 1)] = known
        branches, bound = known
        if not branches or len(chosen) + bound > depth:
            return True
        complete = True
        for change in branches:
            complete = self._deepen(chosen | {change}, depth, target, found, visited) and complete
            if not complete:
                return False
        return complete

    def accepted(self, chosen: frozenset[Change]) -> bool:
        """Whether the changed answers are ones the questionnaire accepts (no refused ticks)."""
        changed = apply(self.kb, self.answers, chosen)
        return all(self.kb.question(q).combination_problem(changed[q]) is None
                   for q in {c.question for c in chosen if c.action != "set"})

    def unticks(self, chosen: frozenset[Change]) -> tuple[list[Change], int]:
        """(the changes one of which mends a refused tick, how many more changes are needed).

        A question whose answer ticks a go-alone value beside others is mended only by removing
        one of its values the set did not add (undoing the set's own change is another branch of
        the search), so branching on those removals, one question at a time, loses no solution.
        """
        changed = apply(self.kb, self.answers, chosen)
        refused = sorted(q for q in {c.question for c in chosen if c.action != "set"}
                         if self.kb.question(q).combination_problem(changed[q]) is not None)
        if not refused:
            return [], 0
        question = refused[0]
        removals = [Change(question, "remove", value) for value in changed[question]
                    if Change(question, "add", value) not in chosen]
        return removals, len(refused)

    def describe(self, chosen: frozenset[Change], before: frozenset[str]) -> ChangeSet:
        """What a found set does; its rules' run is the one the search cached for it."""
        changed = apply(self.kb, self.answers, chosen)
        kept, aside = self.evaluator.applicable(changed)
        if self.was_open is None:
            self.was_open = self._open(self.answers)
        was_open = self.was_open
        now_open = self._open(kept)
        fired = self.cache[chosen][1]
        return ChangeSet(
            changes=tuple(sorted(chosen)),
            opens=tuple(q.id for q in self.kb.questions
                        if q.id in now_open and q.id not in was_open),
            sets_aside=aside,
            fires=tuple(r.id for r in self.kb.rules if r.id in fired and r.id not in before),
            stops=tuple(r.id for r in self.kb.rules if r.id in before and r.id not in fired))

    def _open(self, answers: Mapping[str, AnswerValue]) -> set[str]:
        """Questions that would be asked given these (applicable) answers."""
        return {question_id for question_id, asked in self.evaluator.ask_if
                if asked is None or asked(answers, set())}


def _key(change: Change, several: set[str]) -> object:
    """What a change takes up: a single-valued question is answered once in a set of changes,
    a several-of question once per option."""
    return (change.question, change.value) if change.question in several else change.question


def _packing(needs: list[set[Change]]) -> int:
    """How many of these sets (smallest first) are pairwise disjoint, greedily: a lower bound on
    the changes needed to hold one change of each."""
    count, used = 0, set[Change]()
    for changes in needs:
        if used.isdisjoint(changes):
            count += 1
            used |= changes
    return count


def what_if(kb: KnowledgeBase, assessment: Assessment, max_changes: int = MAX_CHANGES,
            budget: int = BUDGET) -> WhatIf:
    """For every level other than the assessment's, the smallest sets of changes reaching it."""
    search = _Search(kb, assessment.answers, budget)
    before = frozenset(assessment.fired)
    levels = []
    for level in kb.levels:
        if level.id == assessment.level.id:
            continue
        size, sets, searched = search.level(level.rank, max_changes)
        levels.append(LevelChanges(level, size, tuple(search.describe(s, before) for s in sets),
                                   searched))
    return WhatIf(tuple(levels), search.evaluations)
