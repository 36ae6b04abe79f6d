"""Safety-netting: the warning signs that would raise this person's urgency, derived from the rules.

Good triage ends with "get help at once if ..." (NHS 111 calls it worsening advice). Nothing here
is written by hand: for every warning sign the person has not reported (a red flag or symptom
answered yes, or one more option of a several-of symptom question), the reference evaluator
re-runs the rules on the answers with that one sign added, ask_if respected, and the sign is
listed under the level it would reach when that level is above the one the person got (only the
rules the sign can reach are re-run: engine/explain/rerun.py). So the
list is exact over single new signs and only ever points upwards; a sign that would lower or keep
the level is never shown. Each group's heading is a reader text from levels.yaml.

Cost: one reference run per candidate sign (about forty on the shipped knowledge base): 0.6 ms a
result median on the shipped knowledge base, 33 ms at 500 rules (tests/bench/explain_bench.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from engine.conditions import evaluate
from engine.explain.rerun import Rerun
from engine.model import (
    AnswerValue,
    Assessment,
    KnowledgeBase,
    Question,
    SafetyNetGroup,
    SafetyNetSign,
)

#: Roles whose "yes" is a sign the person notices (context questions are background, not signs).
SIGN_ROLES = ("red_flag", "symptom")


@dataclass(frozen=True)
class SignChange:
    """One new warning sign: a question, the option that would be added, the answers with it."""

    question: Question
    option: str
    answers: dict[str, AnswerValue]


def sign_changes(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Iterator[SignChange]:
    """Every single new warning sign the person could report, given their answers.

    A yes to a red flag or symptom not yet answered yes, or one more option of a several-of one;
    questions whose ask_if is false on the answers are skipped (they would not be asked). An
    answer that goes alone ("Not sure", "None of these") is never a sign, and a sign reported
    after one replaces it (a person who was not sure now sees the floppiness): the answers stay
    ones the questionnaire accepts.
    """
    for question in kb.questions:
        if question.role not in SIGN_ROLES:
            continue
        if question.ask_if is not None and not evaluate(question.ask_if, answers):
            continue
        current = answers.get(question.id)
        if question.kind == "several_of":
            chosen = set(current or ()) - question.alone
            for option in question.values:
                if option not in chosen and option not in question.alone:
                    yield SignChange(question, option, {
                        **answers, question.id: tuple(sorted(chosen | {option}))})
        elif "yes" in question.values and current != "yes":
            yield SignChange(question, "yes", {**answers, question.id: "yes"})


def safety_net(kb: KnowledgeBase, assessment: Assessment) -> tuple[SafetyNetGroup, ...]:
    """The signs that would each raise the assessment's level, grouped by the level, highest first.

    Within a group, signs keep the asking order; the options of one several-of question that
    reach the same level form one sign.
    """
    rerun = Rerun(kb, assessment.answers)
    current = assessment.level.rank
    reached: dict[int, dict[str, list[str]]] = {}
    questions: dict[str, Question] = {}
    for change in sign_changes(kb, assessment.answers):
        rank, _ = rerun.run(change.answers, frozenset({change.question.id}))
        if rank > current:
            questions[change.question.id] = change.question
            reached.setdefault(rank, {}).setdefault(change.question.id, []).append(change.option)
    by_rank = {level.rank: level for level in kb.levels}
    return tuple(
        SafetyNetGroup(by_rank[rank], tuple(SafetyNetSign(questions[question_id], tuple(options))
                                            for question_id, options in reached[rank].items()))
        for rank in sorted(reached, reverse=True))
