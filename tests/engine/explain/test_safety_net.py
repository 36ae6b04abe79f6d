"""Safety-netting: derived from the rules, exact over single new signs, and only ever upwards.

Checked over sampled reachable answer sets: every sign listed, applied, reaches the level it is
listed under (by the experta engine as well as the reference evaluator); every single change to a
red flag or symptom answer that would raise the level is listed at that level or above; and no
group is at or below the level the person got.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from engine.conditions import evaluate
from engine.explain.safety_net import SIGN_ROLES, safety_net, sign_changes
from engine.load.knowledge_base import load_knowledge_base
from engine.model import AnswerValue, Assessment, KnowledgeBase
from engine.problems import KnowledgeBaseError
from engine.run.assess import assess
from engine.verify.reference import reference_for
from tests.answer_samples import over_seeds, sampled, sized

#: 20 x 20 = 400 sampled sets per test (800 with MUSCLE_TRIAGE_LONG=1).
EXAMPLES, SETS_PER_EXAMPLE = sized(20, 40), 20


def _with_sign(kb: KnowledgeBase, result: Assessment, question_id: str, value: str
               ) -> dict[str, AnswerValue]:
    current = result.answers.get(question_id)
    if kb.question(question_id).kind == "several_of":
        return {**result.answers, question_id: tuple(sorted({*(current or ()), value}))}
    return {**result.answers, question_id: value}


def _netted(kb: KnowledgeBase, answers: dict[str, AnswerValue]) -> Assessment:
    """A sampled result with its safety net, by the reference evaluator (fast; the experta
    engine's results carry the same net, checked on a share of the sets below)."""
    result = reference_for(kb).assess(answers)
    return replace(result, safety_net=safety_net(kb, result))


def _listed(result: Assessment) -> dict[str, int]:
    """Question id -> the highest rank it is listed under."""
    found: dict[str, int] = {}
    for group in result.safety_net:
        for sign in group.signs:
            found[sign.question.id] = max(found.get(sign.question.id, -1), group.level.rank)
    return found


@over_seeds(EXAMPLES)
def test_every_sign_applied_reaches_the_level_it_is_listed_under(kb: KnowledgeBase,
                                                                  seed: int) -> None:
    reference = reference_for(kb)
    for number, answers in enumerate(sampled(kb, seed, SETS_PER_EXAMPLE)):
        result = _netted(kb, answers)
        if number == 0:
            assert assess(kb, result.answers).safety_net == result.safety_net
        for group in result.safety_net:
            assert group.level.rank > result.level.rank  # only ever upwards
            assert group.level.safety_net  # the heading is the knowledge base's own text
            for sign in group.signs:
                for value in sign.answers:
                    changed = _with_sign(kb, result, sign.question.id, value)
                    assert reference.level_rank(changed) == group.level.rank, (changed, group)
                    if number == 0:  # the experta engine too, on a share of the sets
                        assert assess(kb, changed).level.id == group.level.id, changed


@over_seeds(EXAMPLES)
def test_no_single_change_that_raises_the_level_is_missing(kb: KnowledgeBase, seed: int) -> None:
    """Every other answer to every red flag or symptom, one at a time, written out here afresh."""
    reference = reference_for(kb)
    for answers in sampled(kb, seed, SETS_PER_EXAMPLE):
        result = _netted(kb, answers)
        listed = _listed(result)
        for question in kb.questions:
            if question.role not in SIGN_ROLES:
                continue
            if question.ask_if is not None and not evaluate(question.ask_if, result.answers):
                continue
            current = result.answers.get(question.id)
            if question.kind == "several_of":
                others: list[AnswerValue] = [tuple(sorted({*(current or ()), option}))
                                             for option in question.values]
            else:
                others = [value for value in question.values if value != current]
            for value in others:
                rank = reference.level_rank({**result.answers, question.id: value})
                if rank > result.level.rank:
                    assert listed.get(question.id, -1) >= rank, (result.answers, question.id,
                                                                 value)


def test_a_quiet_result_lists_every_red_flag_and_an_emergency_lists_nothing(
        kb: KnowledgeBase) -> None:
    quiet = assess(kb, {})
    flags = {q.id for q in kb.questions if q.role == "red_flag"}
    assert flags <= set(_listed(quiet))
    assert [group.level.id for group in quiet.safety_net] == [
        level.id for level in kb.levels if level.rank > quiet.level.rank][:len(quiet.safety_net)]
    emergency = assess(kb, {"breathing_trouble": "yes"})
    assert emergency.safety_net == ()


def test_a_several_of_sign_names_the_options_that_would_raise(kb: KnowledgeBase) -> None:
    result = assess(kb, {"who": "child", "age_at_start": "18_months_to_17_years"})
    child = [sign for group in result.safety_net for sign in group.signs
             if sign.question.id == "child_signs"]
    named = {answer for sign in child for answer in sign.answers}
    offered = set(kb.question("child_signs").values) - {"unsure", "not_applicable"}
    assert named == offered  # every option would raise: losing skills to today, others to soon
    assert len({group.level.id for group in result.safety_net
                if any(sign.question.id == "child_signs" for sign in group.signs)}) == 2


def test_a_level_without_its_safety_net_heading_is_refused(rules_copy: Path) -> None:
    levels = rules_copy / "levels.yaml"
    text = levels.read_text(encoding="utf-8")
    start = text.index("    safety_net: >-\n      Get medical advice")
    end = text.index("\n  - id:", start)
    levels.write_text(text[:start] + text[end + 1:], encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="level 'urgent': needs a 'safety_net' heading"):
        load_knowledge_base(rules_copy)


def test_not_sure_is_never_a_sign_and_a_sign_replaces_it(kb: KnowledgeBase) -> None:
    """A parent not sure about the signs in a child still hears that a lost skill means today;
    the answers weighed are ones the questionnaire accepts ("Not sure" replaced, not joined)."""
    answers: dict[str, AnswerValue] = {"who": "child", "child_signs": ("unsure",)}
    changes = [c for c in sign_changes(kb, answers) if c.question.id == "child_signs"]
    assert changes and all(c.option not in ("unsure", "not_applicable") for c in changes)
    assert all(c.answers["child_signs"] == (c.option,) for c in changes)
    result = assess(kb, answers)
    assert result.level.id == "soon"
    today = [sign for group in result.safety_net if group.level.id == "urgent"
             for sign in group.signs if sign.question.id == "child_signs"]
    assert [sign.answers for sign in today] == [("lost_skills",)]


def test_not_sure_which_medicines_keeps_the_medicine_pair_in_the_safety_net(
        kb: KnowledgeBase) -> None:
    """Issue 16: not knowing the medicines must not silence "muscle pain on a statin: today"."""
    def today_signs(medicines: tuple[str, ...]) -> set[str]:
        result = assess(kb, {"medicines": medicines, "muscles_smaller": "yes",
                             "onset": "over_months"})
        assert result.level.id == "soon"
        return {sign.question.id for group in result.safety_net if group.level.id == "urgent"
                for sign in group.signs}

    assert "muscle_pain" in today_signs(("unsure",))
    assert "muscle_pain" in today_signs(("statin",))
    assert "muscle_pain" not in today_signs(("none",))
