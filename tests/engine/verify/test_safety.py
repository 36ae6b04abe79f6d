"""Safety over the whole answer space: the structural proof, and large samples that back it.

The reachable answer space of the shipped knowledge base is too large to enumerate (printed by
`muscle-triage test --coverage`), so invariant 3 (red flags) and 4 (monotonic) are proved from the
rule structure, and all five invariants are checked on 20,000 sampled reachable answer sets (and
about 20,000 one-step "one more yes" neighbours) with the reference evaluator; MUSCLE_TRIAGE_LONG=1
checks 100,000 of each (tests/answer_samples.py: every rule fires within the first 1,000 sets, so
the suite's size keeps them all in play). The experta engine must agree with the reference
evaluator on every sampled set it is given: 500 in the suite, 100,000 in the long run.
"""

from __future__ import annotations

import pytest

from engine.model import KnowledgeBase
from engine.run.assess import assess
from engine.verify.reference import reference_for
from engine.verify.safety import (
    answer_space_size,
    fast_violations,
    prove,
    raised_variants,
    violations,
)
from tests.answer_samples import over_seeds, sampled, sized

BATCHES = sized(20, 100)          # x 1,000: 20,000 answer sets (100,000 long)
SETS_PER_BATCH = 1_000
FULL_RESULTS_PER_BATCH = 50       # full results (texts) for invariants 1 and 2
NEIGHBOUR_SETS_PER_BATCH = 60     # x ~17 neighbours each: > 20,000 pairs (100,000 long)
# experta is slower: 50 x 10 = 500 sets in the suite; MUSCLE_TRIAGE_LONG=1 runs 100,000.
EXPERTA_EXAMPLES, EXPERTA_SETS_PER_EXAMPLE = sized(50, 1_000), sized(10, 100)


def test_the_answer_space_is_too_large_to_enumerate(kb: KnowledgeBase) -> None:
    size = answer_space_size(kb)
    assert size > 10 ** 12, size  # hence proof plus sampling, not enumeration


def test_structure_proves_red_flags_and_monotonicity(kb: KnowledgeBase) -> None:
    proof = prove(kb)
    assert proof.red_flags_unproved == ()
    assert proof.monotone_unproved == ()
    flags = [q.id for q in kb.questions if q.role == "red_flag"]
    assert list(proof.red_flags_proved) == flags


def test_proof_notices_a_rule_that_breaks_monotonicity(kb: KnowledgeBase) -> None:
    """The proof is not vacuous: a rule raising the level on a 'no' is caught."""
    from dataclasses import replace

    from engine.model import AnswerTest, Rule, Then

    odd = Rule("odd", "Raised by a no", AnswerTest("eating_less", frozenset({"no"})),
               Then(level="urgent"), "test", ("article-symptoms",))
    broken = replace(kb, rules=(*kb.rules, odd))
    assert ("eating_less", "odd") in prove(broken).monotone_unproved


def test_a_follow_up_whose_not_sure_warns_is_proved_by_its_own_yes(kb: KnowledgeBase) -> None:
    """A follow-up question (behind an ask_if) may raise "Not sure" to urgent, because its "yes"
    alone reaches emergency wherever it is asked; without that rule the proof stays open."""
    from dataclasses import replace

    assert "cancer_walking_or_legs" in prove(kb).monotone_proved
    without = replace(kb, rules=tuple(r for r in kb.rules if r.id != "cancer_with_walking_change"))
    assert ("cancer_walking_or_legs", "rf_unsure_about_warning_sign") in \
        prove(without).monotone_unproved


def test_proof_notices_a_rule_that_reads_not_sure_alone(kb: KnowledgeBase) -> None:
    """A sign reported after "Not sure" replaces it, so a rule firing on "Not sure" may stop; the
    proof accepts that only when the replacing sign reaches the level by itself."""
    from dataclasses import replace

    from engine.model import AnswerTest, Rule, Then

    def with_rule(level: str) -> KnowledgeBase:
        odd = Rule("odd", "Not sure about a child's signs", AnswerTest(
            "child_signs", frozenset({"unsure"})), Then(level=level), "test",
            ("article-symptoms",))
        return replace(kb, rules=(*kb.rules, odd))

    assert ("child_signs", "odd") in prove(with_rule("urgent")).monotone_unproved
    # at soon every replacing sign is covered: lost skills is urgent, the others soon
    assert prove(with_rule("soon")).monotone_unproved == ()


def test_the_answer_space_counts_only_ticks_the_questionnaire_accepts(kb: KnowledgeBase) -> None:
    from engine.verify.safety import _states

    medicines = kb.question("medicines")  # statin, steroid, immunotherapy, water tablets
    assert medicines.alone == {"none", "unsure"}
    assert _states(medicines) == 2 ** 4 + 2 + 1  # any of the four, or one alone, or unanswered


def test_sampled_answers_never_tick_an_answer_that_goes_alone_beside_others(
        kb: KnowledgeBase) -> None:
    ticked_alone = 0
    for answers in sampled(kb, 16, 2_000):
        for question_id, value in answers.items():
            question = kb.question(question_id)
            if question.kind == "several_of":
                assert question.combination_problem(value) is None, (question_id, value)
                ticked_alone += bool(question.alone & set(value))
    assert ticked_alone > 100  # "Not sure" and "None of these" are sampled, alone


@pytest.mark.slow
@over_seeds(BATCHES)
def test_invariants_hold_on_sampled_answer_sets(kb: KnowledgeBase, seed: int) -> None:
    evaluator = reference_for(kb)
    for number, answers in enumerate(sampled(kb, seed, SETS_PER_BATCH)):
        _, found = fast_violations(kb, evaluator, answers)
        if number < FULL_RESULTS_PER_BATCH:
            found += violations(kb, evaluator.assess(answers))
        assert not found, f"answers {answers}: {found}"


@pytest.mark.slow
@over_seeds(BATCHES)
def test_one_more_yes_never_lowers_the_urgency(kb: KnowledgeBase, seed: int) -> None:
    evaluator = reference_for(kb)
    for answers in sampled(kb, seed, NEIGHBOUR_SETS_PER_BATCH):
        before = evaluator.level_rank(answers)
        for change, raised in raised_variants(kb, answers):
            after = evaluator.level_rank(raised)
            assert after >= before, f"answers {answers}: {change} lowered rank {before}->{after}"


@pytest.mark.slow
@over_seeds(EXPERTA_EXAMPLES)
def test_experta_agrees_with_the_reference_evaluator(kb: KnowledgeBase, seed: int) -> None:
    evaluator = reference_for(kb)
    for answers in sampled(kb, seed, EXPERTA_SETS_PER_EXAMPLE):
        got, want = assess(kb, answers), evaluator.assess(answers)
        assert (got.level.id, got.fired, got.reading, got.derived) == \
            (want.level.id, want.fired, want.reading, want.derived), f"answers {answers}"


def test_every_red_flag_alone_and_with_everything_else(kb: KnowledgeBase) -> None:
    """Each red flag 'yes' beside every answer to every other question, one at a time."""
    evaluator = reference_for(kb)
    rank = {level.id: level.rank for level in kb.levels}
    flags = [q for q in kb.questions if q.role == "red_flag"]
    for flag in flags:
        assert flag.raises_to is not None
        for other in kb.questions:
            if other.id == flag.id:
                continue
            values = [(v,) for v in other.values] if other.kind == "several_of" else other.values
            for value in values:
                answers = {flag.id: "yes", other.id: value}
                assert evaluator.level_rank(answers) >= rank[flag.raises_to], answers


@pytest.mark.parametrize("seed", range(3))
def test_sampler_respects_ask_if(kb: KnowledgeBase, seed: int) -> None:
    evaluator = reference_for(kb)
    for answers in sampled(kb, seed, 500):
        assert evaluator.applicable(answers)[1] == ()
