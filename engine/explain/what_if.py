"""What would change it: for each other urgency level, the smallest sets of answer changes that
reach it, found exactly (for educators; a person's own result never shows this).

A change is one step a person could take on the questionnaire: another answer to a yes/no or
one-of question (or a first answer to one left unanswered), or one option ticked or unticked on a
several-of question. Answers are never withdrawn. Changes apply with ask_if respected, so a change
can open a question (it would now be asked) or set another answer aside (it would no longer be
asked); each set says so.

The search is exact: iterative deepening by the number of changes, run with the reference
evaluator, and conflict-directed, as in Reiter's hitting-set search for diagnoses. At a set of
changes that gives too high a level, some fired rule above the target must stop firing, and it
can only stop if an answer it depends on changes (the questions its condition reads, through the
rules deriving the facts it needs and the ask_if of every such question); so only changes to those
questions are tried next, for the rule with the fewest. Too low a level: only changes to questions
the target level's rules depend on can help. Every set of the smallest size is found, and none of
its proper subsets reaches the level (they are smaller, and the smaller sizes were searched in
full). The search stops at ``max_changes`` changes or ``budget`` evaluations, whichever comes
first, and says so; the time bound is the budget times one evaluation. Measured over 1,000 sampled
sets (tests/bench/explain_bench.py): 50 ms median and 2 s worst on the shipped knowledge base
(never cut short, at most 7,352 evaluations), 27 ms median and 27 s worst at 500 rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from engine.explain.rerun import Rerun
from engine.model import AnswerValue, Assessment, KnowledgeBase, Level, Question

#: How many changes a set may have, and how many answer sets one what-if may evaluate.
MAX_CHANGES = 4
BUDGET = 10_000


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


class _Search:
    """One what-if: the base answers, the evaluations cached, the budget left."""

    def __init__(self, kb: KnowledgeBase, answers: Mapping[str, AnswerValue], budget: int) -> None:
        self.kb = kb
        self.answers = dict(answers)
        self.rerun = Rerun(kb, answers)
        self.evaluator = self.rerun.evaluator
        self.depends = self.rerun.depends
        self.rule_rank = self.rerun.rule_rank
        self.changes = {q.id: candidate_changes(q, answers.get(q.id)) for q in kb.questions}
        self.budget = budget
        self.evaluations = 0
        self.cache: dict[frozenset[Change], tuple[int, frozenset[str]]] = {}

    def run(self, chosen: frozenset[Change]) -> tuple[int, frozenset[str]] | None:
        """(level rank, fired rules) after the changes; None once the budget is spent."""
        known = self.cache.get(chosen)
        if known is not None:
            return known
        if self.evaluations >= self.budget:
            return None
        self.evaluations += 1
        self.cache[chosen] = self.rerun.run(apply(self.kb, self.answers, chosen),
                                            frozenset(c.question for c in chosen))
        return self.cache[chosen]

    def branches(self, target: int, rank: int, fired: frozenset[str]) -> list[Change]:
        """The changes one of which every solution extending the current set must contain."""
        if rank > target:
            blocking = [r for r in fired if self.rule_rank[r] > target]
            questions = min((self.depends[r] for r in blocking),
                            key=lambda qs: sum(len(self.changes[q]) for q in qs))
        else:
            questions = frozenset().union(*(self.depends[r.id] for r in self.kb.rules
                                            if self.rule_rank[r.id] == target
                                            and r.id not in fired))
        return [change for q in self.kb.questions if q.id in questions
                for change in self.changes[q.id]]

    def at_least(self, target: int, rank: int, fired: frozenset[str]) -> int:
        """A lower bound on the changes still needed: rules above the target that must all stop
        and depend on pairwise disjoint questions each need a change of their own."""
        if rank < target:
            return 1
        bound, used = 0, set[str]()
        for depends in sorted((self.depends[r] for r in fired if self.rule_rank[r] > target),
                              key=len):
            if used.isdisjoint(depends):
                bound += 1
                used |= depends
        return bound

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
        rank, fired = outcome
        # A set that ticks an answer going alone beside others ("Not sure" and "Hands") is one
        # the questionnaire refuses: never a solution, but a step towards one (untick it next).
        accepted = rank == target and self.accepted(chosen)
        if len(chosen) == depth:
            if accepted:
                found.add(chosen)
            return True
        if accepted:
            return True  # reached with fewer changes (only after a cut-short shallower search)
        if len(chosen) + self.at_least(target, rank, fired) > depth:
            return True
        taken = {c.question for c in chosen if c.action == "set"} | {
            (c.question, c.value) for c in chosen if c.action != "set"}
        complete = True
        for change in self.branches(target, rank, fired):
            key = change.question if change.action == "set" else (change.question, change.value)
            if key in taken:
                continue
            complete = self._deepen(chosen | {change}, depth, target, found, visited) and complete
            if not complete:
                return False
        return complete

    def accepted(self, chosen: frozenset[Change]) -> bool:
        """Whether the changed answers are ones the questionnaire accepts (no refused ticks)."""
        changed = apply(self.kb, self.answers, chosen)
        return all(self.kb.question(q).combination_problem(changed[q]) is None
                   for q in {c.question for c in chosen if c.action != "set"})

    def describe(self, chosen: frozenset[Change], before: frozenset[str]) -> ChangeSet:
        changed = apply(self.kb, self.answers, chosen)
        kept, aside = self.evaluator.applicable(changed)
        was_open = self._open(self.answers)
        now_open = self._open(kept)
        fired, _, _ = self.evaluator.run(kept)
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
