"""Safety over the whole answer space: the invariants, a proof from structure, and sampling.

The invariants every result must keep, for every reachable set of answers (respecting ask_if,
with any question left unanswered):

1. the notice is in every result;
2. no result text reads as a diagnosis (the wording lint, applied to outputs);
3. every red-flag "yes" reaches its declared level, whatever else is answered;
4. monotonic: answering yes to one more symptom or red flag never lowers the urgency;
5. reported muscle loss or weakness never yields less than the knowledge base's stated floor.

The reachable space is far too large to enumerate (see ``answer_space_size``), so 3 and 4 are
proved from the rule structure where the structure allows (``prove``), and all five are checked
on large random samples of reachable answer sets with the plain reference evaluator.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from engine.conditions import answer_matches, evaluate, leaves, questions_read
from engine.explain.safety_net import SIGN_ROLES, sign_changes
from engine.explain.words import formula
from engine.load.wording_lint import diagnostic_wording
from engine.model import (
    AllOf,
    AnswerTest,
    AnswerValue,
    AnyOf,
    Assessment,
    Condition,
    FactTest,
    KnowledgeBase,
    NotOf,
    Question,
)
from engine.problems import Problem
from engine.verify.reference import ReferenceEvaluator, reference_for

RAISING_ROLES = SIGN_ROLES


# --- the size of the space -----------------------------------------------------------------------


def _states(question: Question) -> int:
    """Answer states of one question, unanswered included."""
    if question.kind == "several_of":  # any set of the others, or one that goes alone
        return int(2 ** (len(question.options) - len(question.alone))) + len(question.alone) + 1
    return len(question.options) + 1


def answer_space_size(kb: KnowledgeBase) -> int:
    """The number of reachable answer sets (ask_if respected, any question may be unanswered).

    Counted by dynamic programming: what can still follow question i depends on the answers so
    far only through the later ask_if tests that read them, so answer sets that meet those tests
    alike are counted once. Without it, a gating several-of question with 13 options (the known
    conditions that open follow-up questions) made `test --coverage` run for minutes; with it the
    count takes milliseconds.
    """
    questions = kb.questions
    gating = {q for question in questions for q in questions_read(question.ask_if)}
    position = {question.id: index for index, question in enumerate(questions)}
    read_later: list[tuple[AnswerTest, ...]] = []
    for index in range(len(questions) + 1):
        tests: list[AnswerTest] = []
        for question in questions[index:]:
            if question.ask_if is None:
                continue
            for leaf, _ in leaves(question.ask_if):
                if (isinstance(leaf, AnswerTest) and position[leaf.question] < index
                        and leaf not in tests):
                    tests.append(leaf)
        read_later.append(tuple(tests))
    counted: dict[tuple[int, tuple[bool, ...]], int] = {}

    def count(index: int, answers: dict[str, AnswerValue]) -> int:
        if index == len(questions):
            return 1
        key = (index, tuple(answer_matches(test, answers.get(test.question))
                            for test in read_later[index]))
        if key in counted:
            return counted[key]
        question = questions[index]
        asked = question.ask_if is None or evaluate(question.ask_if, answers)
        if not asked:
            total = count(index + 1, answers)
        elif question.id not in gating:
            total = _states(question) * count(index + 1, answers)
        else:
            total = count(index + 1, answers)  # unanswered
            for value in _values(question):
                total += count(index + 1, {**answers, question.id: value})
        counted[key] = total
        return total

    return count(0, {})


def _values(question: Question) -> list[AnswerValue]:
    if question.kind != "several_of":
        return list(question.values)
    options = [value for value in question.values if value not in question.alone]
    found: list[AnswerValue] = [tuple(sorted(o for bit, o in enumerate(options) if mask >> bit & 1))
                                for mask in range(2 ** len(options))]
    return found + [(value,) for value in sorted(question.alone)]  # these go alone


# --- sampling ------------------------------------------------------------------------------------


@cache
def _sampling_plan(kb: KnowledgeBase
                   ) -> tuple[tuple[str, Any, bool, tuple[str, ...], frozenset[str]], ...]:
    """(id, compiled ask_if or None, several-of?, values, answers that go alone) per question,
    in asking order."""
    asked_if = dict(reference_for(kb).ask_if)
    return tuple((q.id, asked_if[q.id], q.kind == "several_of", q.values, q.alone)
                 for q in kb.questions)


def sample_answers(kb: KnowledgeBase, rng: random.Random) -> dict[str, AnswerValue]:
    """A random reachable answer set: questions in order, each asked only when its ask_if holds."""
    skip = rng.choice((0.0, 0.2, 0.5, 0.8))  # vary how much is left unanswered
    answers: dict[str, AnswerValue] = {}
    chance = rng.random
    no_facts: set[str] = set()
    for question_id, asked, multi, values, alone in _sampling_plan(kb):
        if asked is not None and not asked(answers, no_facts):
            continue
        if chance() < skip:
            continue
        if multi:
            chosen = tuple(v for v in values if chance() < 0.3)  # kept in order
            if len(chosen) > 1 and alone.intersection(chosen):  # never a refused combination
                chosen = tuple(v for v in chosen if v not in alone) or chosen[:1]
            answers[question_id] = chosen
        else:
            answers[question_id] = values[int(chance() * len(values))]
    return answers


# --- invariants on one result --------------------------------------------------------------------


def violations(kb: KnowledgeBase, result: Assessment) -> list[str]:
    """Invariants 1, 2, 3 and 5 on one result; [] when all hold."""
    found = []
    notice = kb.for_answers(result.answers).notice
    if not notice or result.notice != notice:
        found.append("1: the notice is missing")
    texts = [result.level.title, result.level.advice, *result.guidance]
    texts += [part for item in result.reading for part in (item.title, item.summary)]
    for text in texts:
        for finding in diagnostic_wording(text):
            found.append(f"2: diagnostic wording in the result: {finding}")
    rank = {level.id: level.rank for level in kb.levels}
    for question in kb.questions:
        if question.role == "red_flag" and result.answers.get(question.id) == "yes":
            assert question.raises_to is not None
            if result.level.rank < rank[question.raises_to]:
                found.append(f"3: red flag '{question.id}' gave {result.level.id}, below "
                             f"{question.raises_to}")
    floor = kb.floor
    if floor is not None and evaluate(floor.when, result.answers, result.derived):
        excused = floor.unless is not None and evaluate(floor.unless, result.answers,
                                                        result.derived)
        if not excused and result.level.rank < rank[floor.at_least]:
            found.append(f"5: reported muscle change gave {result.level.id}, below the floor "
                         f"{floor.at_least}")
    return found


def fast_violations(kb: KnowledgeBase, evaluator: ReferenceEvaluator,
                    answers: Mapping[str, AnswerValue]) -> tuple[int, list[str]]:
    """Invariants 3 and 5 straight from the reference evaluator (no result texts assembled).

    Returns the level rank too, for the monotonicity check. Invariants 1 and 2 are about texts:
    ``violations`` checks them on full results.
    """
    kept, _ = evaluator.applicable(answers)
    _, derived, rank = evaluator.run(kept)
    flags, floor_rank = _invariant_plan(kb)
    found = []
    for question_id, needed, level_id in flags:
        if rank < needed and kept.get(question_id) == "yes":
            found.append(f"3: red flag '{question_id}' reached rank {rank}, below {level_id}")
    floor = kb.floor
    if (floor is not None and rank < floor_rank and evaluate(floor.when, kept, derived)
            and (floor.unless is None or not evaluate(floor.unless, kept, derived))):
        found.append(f"5: reported muscle change reached rank {rank}, below the floor "
                     f"{floor.at_least}")
    return rank, found


@cache
def _invariant_plan(kb: KnowledgeBase) -> tuple[tuple[tuple[str, int, str], ...], int]:
    """Red flags as (id, rank needed, level id), and the floor's rank (-1 without a floor)."""
    ranks = {level.id: level.rank for level in kb.levels}
    flags = tuple((q.id, ranks[q.raises_to], q.raises_to) for q in kb.questions
                  if q.role == "red_flag" and q.raises_to is not None)
    return flags, ranks[kb.floor.at_least] if kb.floor else -1


def raised_variants(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]
                    ) -> list[tuple[str, dict[str, AnswerValue]]]:
    """Answer sets with one more symptom or red flag answered yes (invariant 4's neighbours).

    The same single new signs the safety net weighs (engine/explain/safety_net.py), labelled.
    """
    variants = []
    for change in sign_changes(kb, answers):
        question = change.question
        if question.kind == "several_of":
            label = f"{question.id} += {change.option}"
        else:
            label = f"{question.id}: {answers.get(question.id) or 'unanswered'} -> yes"
        variants.append((label, change.answers))
    return variants


# --- proof from structure ------------------------------------------------------------------------


@dataclass(frozen=True)
class Proof:
    """What the rule structure proves, and what it leaves to sampling."""

    red_flags_proved: tuple[str, ...]
    red_flags_unproved: tuple[str, ...]
    monotone_proved: tuple[str, ...]
    monotone_unproved: tuple[tuple[str, str], ...]  # (question, rule that may drop)
    floor_unproved: tuple[Condition, ...] = ()  # parts of the floor's `when` (floor_gaps)

    @property
    def complete(self) -> bool:
        return not self.red_flags_unproved and not self.monotone_unproved and (
            not self.floor_unproved)


def _negation_free(condition: Condition) -> bool:
    return all(not negated for _, negated in leaves(condition))


def guaranteed_level(kb: KnowledgeBase, question: Question, *, when_asked: bool = False) -> int:
    """The highest level rank a "yes" to an always-asked question guarantees by itself.

    A rule counts when its condition has no ``not``, no fact, and holds on that one answer alone:
    such a condition is monotone, so it holds on every answer set containing that answer; and
    since levels combine by maximum, the result is at least that rule's level.

    With ``when_asked`` a question behind an ``ask_if`` counts too, for the monotonicity proof:
    turning its answer to "yes" changes nothing where it is not asked (both answers are set
    aside), and where it is asked the "yes" is in effect, so the same argument holds. A follow-up
    question can then treat "Not sure" as a warning sign without leaving its proof open.
    """
    if question.ask_if is not None and not when_asked:
        return -1
    best = -1
    for rule in kb.rules:
        if rule.then.level is None or not _negation_free(rule.when):
            continue
        if any(isinstance(leaf, FactTest) for leaf, _ in leaves(rule.when)):
            continue
        if evaluate(rule.when, {question.id: "yes"}):
            best = max(best, kb.level(rule.then.level).rank)
    return best


def _implies(kb: KnowledgeBase, a: Condition, b: Condition, depth: int = 0) -> bool:
    """A sound (syntactic, incomplete) test that condition a implies condition b.

    Sound because each step holds for every answer set: a fact is derived whenever a rule
    deriving it fires, and an answer test is true for one set of values whenever it is for a
    smaller one.
    """
    if a == b:
        return True
    if depth > 8:
        return False
    if isinstance(b, AllOf):
        return all(_implies(kb, a, part, depth + 1) for part in b.parts)
    if isinstance(b, AnyOf) and any(_implies(kb, a, part, depth + 1) for part in b.parts):
        return True
    if isinstance(b, FactTest) and any(_implies(kb, a, rule.when, depth + 1)
                                       for rule in kb.rules if b.fact in rule.then.derive):
        return True
    if (isinstance(a, AnswerTest) and isinstance(b, AnswerTest) and a.question == b.question
            and a.values <= b.values):
        return True
    if isinstance(a, NotOf) and isinstance(b, NotOf) and _implies(kb, b.part, a.part, depth + 1):
        return True
    if isinstance(a, AllOf):
        return any(_implies(kb, part, b, depth + 1) for part in a.parts)
    if isinstance(a, AnyOf):
        return all(_implies(kb, part, b, depth + 1) for part in a.parts)
    if isinstance(a, FactTest):
        derivers = [rule for rule in kb.rules if a.fact in rule.then.derive]
        return bool(derivers) and all(_implies(kb, rule.when, b, depth + 1) for rule in derivers)
    return False


def floor_gaps(kb: KnowledgeBase) -> list[Condition]:
    """The parts of the floor's ``when`` that no rule at or above the floor is proved to follow.

    The floor holds when, for each part P of its ``when`` (each alternative of an ``any``),
    "P and not unless" implies the condition of some rule whose level is at least the floor's:
    levels combine by maximum, so that rule's level is reached whenever P is. [] when proved.
    """
    floor = kb.floor
    if floor is None:
        return []
    rank = {level.id: level.rank for level in kb.levels}
    needed = rank[floor.at_least]
    raising = [rule for rule in kb.rules
               if rule.then.level is not None and rank[rule.then.level] >= needed]
    parts = floor.when.parts if isinstance(floor.when, AnyOf) else (floor.when,)
    gaps = []
    for part in parts:
        given = part if floor.unless is None else AllOf((part, NotOf(floor.unless)))
        if not any(_implies(kb, given, rule.when) for rule in raising):
            gaps.append(part)
    return gaps


def _leaf_polarity(kb: KnowledgeBase, leaf: AnswerTest, question_id: str, needed: int) -> int:
    """+1 when raising the question's answer can only make the test truer, -1 when it may not.

    ``needed`` is the level rank of the rule at stake: a test that may drop is harmless when
    whatever made it drop reaches that level by itself.
    """
    question = kb.question(question_id)
    if question.kind == "several_of":
        # Adding an option only makes includes tests truer. But a sign reported after an answer
        # that goes alone ("Not sure") replaces it (engine/explain/safety_net.py), so a test
        # reading that answer drops when the sign is not among its values, unless that sign
        # alone reaches the level at stake anyway.
        if leaf.values.isdisjoint(question.alone):
            return 1
        replacing = [v for v in question.values if v not in question.alone | leaf.values]
        return 1 if all(_reaches_alone(kb, question.id, (v,), needed) for v in replacing) else -1
    return 1 if "yes" in leaf.values else -1


def _reaches_alone(kb: KnowledgeBase, question_id: str, value: AnswerValue, needed: int) -> bool:
    """Whether this one answer (to a question that is being asked) fires, by itself, a rule at
    rank ``needed`` or above: a rule with no ``not`` and no fact is monotone, so it fires on every
    answer set holding the answer (as in ``guaranteed_level``)."""
    rank = {level.id: level.rank for level in kb.levels}
    return any(rule.then.level is not None and rank[rule.then.level] >= needed
               and _negation_free(rule.when)
               and not any(isinstance(leaf, FactTest) for leaf, _ in leaves(rule.when))
               and evaluate(rule.when, {question_id: value})
               for rule in kb.rules)


def _polarities(kb: KnowledgeBase, condition: Condition, question_id: str,
                top: Condition | None = None, depth: int = 0, needed: int = -1) -> set[int]:
    """How a condition depends on raising one answer: a set of +1 (truer) and -1 (may drop).

    ``top`` is the condition of the rule whose level is at stake (the outermost call), and
    ``needed`` that rule's level rank.
    """
    top = top or condition
    found: set[int] = set()
    for leaf, negated in leaves(condition):
        sign = -1 if negated else 1
        if isinstance(leaf, AnswerTest):
            if leaf.question == question_id:
                found.add(sign * _leaf_polarity(kb, leaf, question_id, needed))
            else:
                opened = kb.question(leaf.question).ask_if
                # Raising the answer may open this question; an answer that appears makes a
                # test truer, so it counts with the sign of its place in the condition,
                # combined with how the ask_if depends on the raised answer.
                if (opened is not None and question_id in questions_read(opened)
                        and not _opening_harmless(kb, top, opened)):
                    found |= {sign * via for via in _polarities(kb, opened, question_id,
                                                                None, depth + 1, needed)}
        elif depth < 10:
            for rule in kb.rules:
                if leaf.fact in rule.then.derive:
                    found |= {sign * p for p in _polarities(kb, rule.when, question_id, top,
                                                            depth + 1, needed)}
    return found


def _opening_harmless(kb: KnowledgeBase, top: Condition, ask_if: Condition) -> bool:
    """Opening a question cannot stop a rule that, whenever it fired, had it open already.

    If the level rule's condition implies the question's ask_if, then in any answer set where the
    rule fired the question was already asked, so raising another answer cannot newly open it.
    """
    return _implies(kb, top, ask_if)


def prove(kb: KnowledgeBase) -> Proof:
    """Prove invariants 3 and 4 from the rule structure where it allows; list the rest."""
    rank = {level.id: level.rank for level in kb.levels}
    default = rank[kb.default_level]
    flags_ok, flags_open = [], []
    for question in kb.questions:
        if question.role == "red_flag":
            assert question.raises_to is not None
            if guaranteed_level(kb, question) >= rank[question.raises_to]:
                flags_ok.append(question.id)
            else:
                flags_open.append(question.id)
    mono_ok: list[str] = []
    mono_open: list[tuple[str, str]] = []
    for question in kb.questions:
        if question.role not in RAISING_ROLES:
            continue
        guaranteed = guaranteed_level(kb, question, when_asked=True)
        dropping = [rule.id for rule in kb.rules
                    if rule.then.level and rank[rule.then.level] > default
                    and rank[rule.then.level] > guaranteed
                    and -1 in _polarities(kb, rule.when, question.id,
                                          needed=rank[rule.then.level])]
        if dropping:
            mono_open.extend((question.id, rule_id) for rule_id in dropping)
        else:
            mono_ok.append(question.id)
    return Proof(tuple(flags_ok), tuple(flags_open), tuple(mono_ok), tuple(mono_open),
                 tuple(floor_gaps(kb)))


def safety_problems(kb: KnowledgeBase) -> list[Problem]:
    """The promises `check` enforces, as file:line problems: red flags and the floor.

    A red flag's "yes" must reach its ``raises_to`` by itself (``guaranteed_level``), and the
    floor must follow from the rules (``floor_gaps``). Both proofs are sound and incomplete: a
    knowledge base they cannot prove is refused, the safe way to be wrong. Monotonicity stays
    with `test --coverage`, where sampling backs it.
    """
    rank = {level.id: level.rank for level in kb.levels}
    by_rank = {level.rank: level.id for level in kb.levels}
    problems = []
    for question in kb.questions:
        if question.role != "red_flag" or question.raises_to is None:
            continue
        reached = guaranteed_level(kb, question)
        if reached < rank[question.raises_to]:
            alone = f"'{by_rank[reached]}'" if reached >= 0 else "no level"
            why = (" (it is asked only when its ask_if holds, so no rule is proved to fire on it "
                   "alone)" if question.ask_if is not None else "")
            problems.append(Problem(
                question.where.path, question.where.line, f"question '{question.id}'",
                f"red flag: a 'yes' alone reaches {alone}, below its raises_to "
                f"'{question.raises_to}'{why}; add a rule at that level whose condition holds on "
                f"this 'yes' alone (no 'not', no facts)"))
    floor = kb.floor
    if floor is not None:
        levels_path = f"{kb.root or 'rules'}/levels.yaml"
        for part in floor_gaps(kb):
            problems.append(Problem(
                levels_path, floor.line, "floor",
                f"the floor can be broken: when {formula(part)}"
                + (f" and not {formula(floor.unless)}" if floor.unless is not None else "")
                + f", no rule at '{floor.at_least}' or above is proved to fire"))
    return problems
