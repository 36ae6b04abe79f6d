"""Who the questions are about: the flow, both front ends, the result, report, JSON and FHIR."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.model import AUDIENCES, Audience, KnowledgeBase
from questionnaire.flow import Questionnaire
from tests.answer_paths import answer_path, calm_default
from tests.conftest import CliResult
from tests.questionnaire.terminal.test_plain import number_for
from tests.questionnaire.terminal.test_session import QUIT, START, answer_keys, flat, run_tui


def test_a_parent_answering_for_a_baby_sees_baby_wording_and_no_adult_question(
        kb: KnowledgeBase) -> None:
    run = Questionnaire(kb)
    seen: dict[str, str] = {}
    while (question := run.current()) is not None:
        seen[question.id] = question.text
        wanted = {"who": "baby", "weaker": "yes", "onset": "over_months"}
        run.answer(wanted.get(question.id, calm_default(question)))
    baby = kb.for_audience("baby")
    assert seen["weaker"] == baby.question("weaker").text != kb.question("weaker").text
    assert "your baby" in seen["weaker"].casefold()
    assert "age" not in seen and "child_age" not in seen  # for an adult or a child only
    result = run.final()
    assert result.level.id == "soon"
    assert result.level.title == baby.level("soon").title != kb.level("soon").title
    assert result.notice == baby.notice != kb.notice


def test_someone_answering_for_themselves_is_asked_their_age(kb: KnowledgeBase) -> None:
    run = Questionnaire(kb)
    run.answer("self")
    question = run.current()
    assert question is not None and question.id == "age"
    assert question.text == kb.question("age").text


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_red_flag_is_asked_whoever_the_questions_are_about(
        kb: KnowledgeBase, audience: Audience) -> None:
    asked = {question.id for question, _ in answer_path(kb, {"who": audience})}
    red_flags = {q.id for q in kb.questions if q.role == "red_flag" and q.ask_if is None}
    assert red_flags <= asked


def test_the_plain_front_end_speaks_of_the_baby(
        cli_kb: Callable[..., CliResult], kb: KnowledgeBase) -> None:
    path = answer_path(kb, {"who": "baby", "weaker": "yes", "onset": "over_months"})
    lines = [number_for(q, v) for q, v in path]
    out = flat(cli_kb("--plain", stdin="\n".join(lines) + "\n").out)
    baby = kb.for_audience("baby")
    assert baby.question("weaker").text in out and kb.question("weaker").text not in out
    assert baby.level("soon").title in out and baby.notice in out
    assert kb.question("age").text not in out


def test_the_menus_speak_of_the_child(kb: KnowledgeBase) -> None:
    path = answer_path(kb, {"who": "child", "weaker": "yes", "onset": "over_months"})
    keys = [START, *(answer_keys(q, v) for q, v in path), QUIT]
    out = flat(run_tui(keys, kb=kb).out)
    child = kb.for_audience("child")
    assert child.question("child_age").text in out
    assert child.question("weaker").text in out and kb.question("weaker").text not in out
    assert child.level("soon").title in out


ANSWERS = "who: baby\nweaker: yes\nonset: over_months\n"


def test_the_json_result_is_worded_for_the_audience(
        cli_kb: Callable[..., CliResult], kb: KnowledgeBase) -> None:
    result = cli_kb("assess", "--answers", "-", "--format", "json", stdin=ANSWERS)
    assert result.code == 0, result.err
    shown = json.loads(result.out)
    baby = kb.for_audience("baby")
    assert shown["urgency"]["title"] == baby.level("soon").title != kb.level("soon").title
    assert shown["urgency"]["advice"] == baby.level("soon").advice
    assert shown["notice"] == baby.notice
    assert shown["answers"]["who"] == "baby"


def test_an_answers_file_without_who_speaks_to_the_person_answering(
        cli_kb: Callable[..., CliResult], kb: KnowledgeBase) -> None:
    result = cli_kb("assess", "--answers", "-", "--format", "json",
                     stdin="weaker: yes\nonset: over_months\n")
    assert result.code == 0, result.err
    assert json.loads(result.out)["urgency"]["title"] == kb.level("soon").title


def test_the_report_is_worded_for_the_audience(
        cli_kb: Callable[..., CliResult], kb: KnowledgeBase, tmp_path: Path) -> None:
    report = tmp_path / "visit.md"
    result = cli_kb("assess", "--answers", "-", "--report", str(report), stdin=ANSWERS)
    assert result.code == 0, result.err
    text = " ".join(report.read_text(encoding="utf-8").split())
    baby = kb.for_audience("baby")
    assert text.startswith(f"# {baby.texts.report_title}")
    assert baby.level("soon").title in text and baby.question("weaker").text in text
    assert "Who are you answering for?" in text  # the answers table carries who


def test_the_fhir_response_carries_who_and_the_words_shown(
        cli_kb: Callable[..., CliResult], kb: KnowledgeBase, tmp_path: Path) -> None:
    target = tmp_path / "response.json"
    result = cli_kb("assess", "--answers", "-", "--fhir-response", str(target), stdin=ANSWERS)
    assert result.code == 0, result.err
    items = {item["linkId"]: item for item in json.loads(target.read_text())["item"]}
    assert items["who"]["answer"][0]["valueCoding"]["code"] == "baby"
    assert items["weaker"]["text"] == kb.for_audience("baby").question("weaker").text


def test_questions_and_explain_show_every_wording(
        cli_kb: Callable[..., CliResult], kb: KnowledgeBase) -> None:
    listed = flat(cli_kb("questions").out)
    for audience in AUDIENCES:
        assert kb.for_audience(audience).question("weaker").text in listed
    assert "[baby] Has your baby become weaker?" in listed
    shown = json.loads(cli_kb("questions", "--format", "json").out)
    weaker = next(q for q in shown if q["id"] == "weaker")
    assert weaker["by_audience"]["child"]["text"] == kb.for_audience("child").question(
        "weaker").text
    assert "by_audience" not in next(q for q in shown if q["id"] == "family_history")
    card = flat(cli_kb("explain", "soon").out)
    assert kb.for_audience("baby").level("soon").advice in card
