"""The shipped knowledge base's content: red flags, the floor, and the article's topics."""

from __future__ import annotations

import pytest

from engine.model import KnowledgeBase
from engine.run.assess import assess

REQUIRED_TOPICS = {"muscle_wasting", "diagnosis", "als", "muscular_dystrophy",
                   "multiple_sclerosis", "spinal_muscular_atrophy", "outlook", "exercise",
                   "focused_ultrasound", "nutrition", "physical_therapy"}


def level(kb: KnowledgeBase, **answers: object) -> str:
    return assess(kb, answers).level.id  # type: ignore[arg-type]


def reading(kb: KnowledgeBase, **answers: object) -> set[str]:
    return {item.id for item in assess(kb, answers).reading}  # type: ignore[arg-type]


def test_required_reading_topics_exist_with_sources_and_links(kb: KnowledgeBase) -> None:
    assert {item.id for item in kb.reading} >= REQUIRED_TOPICS
    for item in kb.reading:
        assert item.sources and item.link.startswith("https://")


def test_red_flags_are_asked_first_and_each_declares_its_level(kb: KnowledgeBase) -> None:
    roles = [q.role for q in kb.questions]
    first_flag, first_other = roles.index("red_flag"), roles.index("symptom")
    # only the opening questions (who it is about, their age) come before the red flags
    assert [q.id for q in kb.questions[:first_flag]] == ["who", "age", "child_age"]
    assert set(roles[:first_flag]) == {"context"}
    assert set(roles[first_flag:first_other]) == {"red_flag"}
    assert "red_flag" not in roles[first_other:]
    for question in kb.questions[first_flag:first_other]:
        assert question.raises_to in {lv.id for lv in kb.levels}


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


def test_disuse_alone_is_routine_with_therapy_reading(kb: KnowledgeBase) -> None:
    answers = {"weaker": "yes", "onset": "over_weeks", "inactivity": ("bed_rest", "cast")}
    assert level(kb, **answers) == "routine"
    assert {"physical_therapy", "exercise"} <= reading(kb, **answers)


@pytest.mark.parametrize("extra", [
    {"twitching_or_cramps": "yes"}, {"onset": "over_days"}, {"family_history": "yes"},
    {"eating_less": "yes"}, {"after_infection": "yes"}, {"where_affected": ("one_side",)},
])
def test_disuse_does_not_explain_away_other_signs(kb: KnowledgeBase, extra: dict) -> None:
    assert level(kb, weaker="yes", inactivity=("bed_rest",), **extra) == "soon"


def test_article_conditions_are_offered_as_reading(kb: KnowledgeBase) -> None:
    assert "als" in reading(kb, weaker="yes", twitching_or_cramps="yes", age_at_start="18_to_59")
    assert "als" not in reading(kb, weaker="yes", twitching_or_cramps="yes",
                                age_at_start="18_months_to_17_years")
    assert "muscular_dystrophy" in reading(kb, age_at_start="18_months_to_17_years",
                                           child_signs=("pushes_on_thighs",))
    assert "multiple_sclerosis" in reading(kb, numbness_or_tingling="yes")
    assert "spinal_muscular_atrophy" in reading(kb, weaker="yes", age_at_start="under_6_months")
    assert "spinal_muscular_atrophy" in reading(kb, floppy_baby="yes")
    assert {"outlook", "nutrition"} <= reading(kb, muscles_smaller="yes",
                                               other_illness=("heart_failure",))
    assert "outlook" not in reading(kb, other_illness=("heart_failure",))
    assert {"exercise", "focused_ultrasound", "nutrition", "physical_therapy"} <= \
        reading(kb, muscles_smaller="yes")
    assert "weakness_with_use" in reading(kb, tires_with_use="yes")


def test_every_rule_and_reading_cites_a_known_source(kb: KnowledgeBase) -> None:
    known = {source_id for source_id, _ in kb.sources}
    for rule in kb.rules:
        assert rule.sources and set(rule.sources) <= known, rule.id
    for item in kb.reading:
        assert set(item.sources) <= known, item.id


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
