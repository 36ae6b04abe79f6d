"""The shipped knowledge base's content: red flags, the floor, and the article's topics."""

from __future__ import annotations

import pytest

from engine.model import KnowledgeBase
from engine.run.assess import assess

REQUIRED_TOPICS = {"muscle_wasting", "diagnosis", "als", "muscular_dystrophy",
                   "multiple_sclerosis", "spinal_muscular_atrophy", "outlook", "exercise",
                   "focused_ultrasound", "nutrition", "physical_therapy", "common_causes"}
#: The article's conditions: offered only all together, after the common causes.
CONDITION_SET = {"als", "muscular_dystrophy", "multiple_sclerosis", "spinal_muscular_atrophy"}


def level(kb: KnowledgeBase, **answers: object) -> str:
    return assess(kb, answers).level.id  # type: ignore[arg-type]


def reading(kb: KnowledgeBase, **answers: object) -> set[str]:
    return {item.id for item in assess(kb, answers).reading}  # type: ignore[arg-type]


def test_required_reading_topics_exist_with_sources_and_links(kb: KnowledgeBase) -> None:
    assert {item.id for item in kb.reading} >= REQUIRED_TOPICS
    for item in kb.reading:
        assert item.sources and item.link.startswith("https://")


def test_red_flags_are_asked_early_and_each_declares_its_level(kb: KnowledgeBase) -> None:
    roles = [q.role for q in kb.questions]
    first_flag = roles.index("red_flag")
    last_flag = len(roles) - 1 - roles[::-1].index("red_flag")
    # only the opening questions (who it is about, their age) come before the red flags
    assert [q.id for q in kb.questions[:first_flag]] == ["who", "age", "child_age"]
    assert set(roles[first_flag:last_flag + 1]) == {"red_flag"}
    assert "symptom" not in roles[:first_flag]
    for question in kb.questions[first_flag:last_flag + 1]:
        assert question.raises_to in {lv.id for lv in kb.levels}
        assert question.ask_if is None, question.id  # the screen is for everyone


def test_each_red_flag_alone_reaches_its_level(kb: KnowledgeBase) -> None:
    for question in kb.questions:
        if question.role == "red_flag":
            assert level(kb, **{question.id: "yes"}) == question.raises_to, question.id


def test_sudden_one_sided_weakness_is_an_emergency_with_other_answers(kb: KnowledgeBase) -> None:
    assert level(kb, sudden_one_sided="yes", weaker="yes", inactivity=("cast",)) == "emergency"


def test_an_emergency_offers_only_what_to_do_now(kb: KnowledgeBase) -> None:
    result = assess(kb, {"breathing_trouble": "yes", "muscles_smaller": "yes"})
    assert result.level.id == "emergency" and result.reading == ()
    assert len(result.guidance) == 1
    assert "emergency number" in result.guidance[0]
    assert "read_treatment_options" in result.fired  # it fired; its advice just waits


def test_unsure_about_an_emergency_sign_means_today(kb: KnowledgeBase) -> None:
    assert level(kb, breathing_trouble="unsure") == "urgent"


def test_nothing_reported_is_routine(kb: KnowledgeBase) -> None:
    assert level(kb) == "routine"
    assert level(kb, muscles_smaller="no", weaker="no", activities_harder="no") == "routine"


@pytest.mark.parametrize("symptom", ["muscles_smaller", "weaker", "activities_harder"])
@pytest.mark.parametrize("answer", ["yes", "unsure"])
def test_reported_muscle_change_means_see_a_doctor(kb: KnowledgeBase, symptom: str,
                                                   answer: str) -> None:
    assert level(kb, **{symptom: answer}) == "soon"
    assert {"muscle_wasting", "diagnosis"} <= reading(kb, **{symptom: answer})


def test_disuse_alone_is_routine_but_says_to_talk_about_the_muscle_loss(
        kb: KnowledgeBase) -> None:
    answers = {"weaker": "yes", "onset": "over_weeks", "inactivity": ("bed_rest", "cast")}
    result = assess(kb, answers)  # type: ignore[arg-type]
    assert result.level.id == "routine"
    assert {"physical_therapy", "exercise"} <= {item.id for item in result.reading}
    assert any("doctor or physiotherapist about the muscle loss" in text
               for text in result.guidance)
    assert not CONDITION_SET & {item.id for item in result.reading}


def test_no_result_after_reported_muscle_loss_says_no_warning_signs(kb: KnowledgeBase) -> None:
    for level_ in kb.levels:
        assert "no warning signs" not in level_.title.casefold()
        assert "no warning signs" not in level_.advice.casefold()


@pytest.mark.parametrize("extra", [
    {"twitching_or_cramps": "yes"}, {"family_history": "yes"}, {"eating_less": "yes"},
    {"after_infection": "yes"}, {"where_affected": ("one_side",)},
    {"where_affected": ("hands",)}, {"where_affected": ("feet_ankles",)},
    {"medicines": ("steroid",)}, {"other_illness": ("diabetes",)},
])
def test_disuse_does_not_explain_away_other_signs(kb: KnowledgeBase, extra: dict) -> None:
    assert level(kb, weaker="yes", onset="over_weeks", inactivity=("bed_rest",), **extra) == "soon"


@pytest.mark.parametrize("onset", ["over_hours", "over_days"])
def test_a_change_over_hours_or_days_is_at_least_urgent(kb: KnowledgeBase, onset: str) -> None:
    assert level(kb, weaker="yes", onset=onset) == "urgent"
    assert level(kb, weaker="yes", onset=onset, where_affected=("all_over",)) == "emergency"
    assert level(kb, weaker="yes", onset=onset, after_infection="yes") == "emergency"
    assert level(kb, weaker="yes", onset=onset, other_illness=("cancer",)) == "emergency"


@pytest.mark.parametrize("answers", [
    {"weaker": "yes", "twitching_or_cramps": "yes", "age_at_start": "18_to_59"},
    {"weaker": "yes", "where_affected": ("hands",), "age_at_start": "60_or_older"},
    {"who": "child", "child_signs": ("pushes_on_thighs",)},
    {"numbness_or_tingling": "yes"},
    {"who": "baby", "baby_signs": ("floppy",)},
    {"other_illness": ("ms",), "ms_new_or_worse_symptoms": "yes"},
])
def test_article_conditions_come_only_as_a_set_with_the_common_causes(
        kb: KnowledgeBase, answers: dict) -> None:
    offered = reading(kb, **answers)
    assert CONDITION_SET | {"common_causes"} <= offered


def test_reading_never_singles_out_one_condition(kb: KnowledgeBase) -> None:
    """No rule offers one of the article's conditions without the rest of the set."""
    for rule in kb.rules:
        named = CONDITION_SET & set(rule.then.reading)
        assert not named or (named == CONDITION_SET and "common_causes" in rule.then.reading), \
            rule.id


def test_everyone_who_answers_gets_the_overview(kb: KnowledgeBase) -> None:
    assert {"muscle_wasting", "diagnosis", "exercise", "focused_ultrasound"} <= reading(
        kb, muscles_smaller="no", weaker="no", activities_harder="no")


def test_other_reading(kb: KnowledgeBase) -> None:
    assert {"outlook", "nutrition"} <= reading(kb, muscles_smaller="yes",
                                               other_illness=("heart_failure",))
    assert "outlook" not in reading(kb, other_illness=("heart_failure",))
    assert {"exercise", "focused_ultrasound", "nutrition", "physical_therapy"} <= \
        reading(kb, muscles_smaller="yes")
    # No answer singles out one condition: the article's conditions come as a set or not at all.
    conditions = {"als", "muscular_dystrophy", "multiple_sclerosis", "spinal_muscular_atrophy"}
    for answers in ({"tires_with_use": "yes"}, {"drooping_eyelids": "yes"}):
        offered = reading(kb, **answers)
        assert not offered & conditions or conditions <= offered, answers
    assert "weakness_with_use" not in {topic.id for topic in kb.reading}


def test_every_rule_and_reading_cites_a_known_source(kb: KnowledgeBase) -> None:
    known = {source_id for source_id, _ in kb.sources}
    for rule in kb.rules:
        assert rule.sources and set(rule.sources) <= known, rule.id
    for item in kb.reading:
        assert set(item.sources) <= known, item.id


def test_sources_cite_the_article_by_title_and_no_replaced_guideline(kb: KnowledgeBase) -> None:
    citations = dict(kb.sources)
    for source_id, citation in citations.items():
        assert "shared/" not in citation and ".txt" not in citation, source_id
        assert "cg186" not in source_id and "CG186)" not in citation, source_id
    assert citations["article-exercise"].startswith("Medical conditions that cause muscle wasting")
    assert "educational web article" in citations["article-exercise"]


def test_every_rule_has_a_review_record(kb: KnowledgeBase) -> None:
    import re

    for rule in kb.rules:
        assert rule.status in {"stable", "test", "experimental", "deprecated"}, rule.id
        assert rule.reviewed and re.fullmatch(r"\d{4}-\d{2}-\d{2}", rule.reviewed), rule.id


def test_every_result_carries_the_notice(kb: KnowledgeBase) -> None:
    for answers in [{}, {"sudden_one_sided": "yes"}, {"weaker": "yes", "inactivity": ("cast",)}]:
        for who in ("self", "adult", "child", "baby"):  # in every audience's wording
            notice = assess(kb, {**answers, "who": who}).notice  # type: ignore[arg-type]
            assert notice == kb.for_audience(who).notice  # type: ignore[arg-type]
            assert "does not replace a doctor" in notice and "emergency number" in notice


def test_answers_to_questions_that_would_not_be_asked_are_set_aside(kb: KnowledgeBase) -> None:
    result = assess(kb, {"onset": "over_days", "child_signs": ("curved_spine",)})
    assert set(result.ignored) == {"onset", "child_signs"}
    assert result.level.id == "routine"
