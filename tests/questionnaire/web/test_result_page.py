"""What the web pages took on from the terminal: words for the session's audience, the safety
net, the with_reading line, and flag-offered answers that go alone."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from engine.load.knowledge_base import load_knowledge_base
from engine.model import AnswerValue, KnowledgeBase
from engine.run.assess import assess
from questionnaire.render.result import sign_options
from tests.answer_paths import answer_path
from tests.conftest import replace_in
from tests.engine.load.test_offered_answers import where_with_does_not_apply
from tests.questionnaire.web.pages import answer, client, form, post, question_id, submit, walk

SOON: dict[str, AnswerValue] = {"who": "self", "age": "40_to_59", "muscles_smaller": "yes"}


@pytest.fixture(scope="module")
def web(kb: KnowledgeBase) -> Iterator[TestClient]:
    with client(kb) as running:
        yield running


def walk_to_result(c: TestClient, kb: KnowledgeBase, wanted: dict[str, AnswerValue]) -> str:
    """Answer every question asked (``wanted`` or a calm default), then open the result."""
    page = walk(c, kb, wanted)
    if "Check your answers" in page.text:
        page = submit(c, page.text, "/result")
    return page.text


def shown(text: str) -> str:
    return escape(text, quote=True).replace("&#x27;", "&#39;")


def test_the_result_page_carries_the_safety_net_the_terminal_shows(
        web: TestClient, kb: KnowledgeBase) -> None:
    page = walk_to_result(web, kb, SOON)
    expected = assess(kb, {q.id: v for q, v in answer_path(kb, SOON)})
    assert expected.safety_net  # something above "soon" is still reachable
    at = 0
    for group in expected.safety_net:  # each group under its level's heading, in order
        at = page.index(f"{shown(group.level.safety_net or '')}</h2>", at)
        for sign in group.signs:
            at = page.index(shown(sign.question.text), at)
            for label in sign_options(sign):
                at = page.index(shown(label), at)


def test_questions_result_and_report_are_worded_for_a_child(web: TestClient,
                                                            kb: KnowledgeBase) -> None:
    child = kb.for_audience("child")
    page = post(web, "/question", [])
    page = answer(web, page.text, "child")
    asked = child.question(question_id(page.text) or "")
    assert shown(asked.text) in page.text
    result = walk_to_result(web, kb, {"who": "child", "muscles_smaller": "yes"})
    assert shown(child.texts.reading_intro) in result
    assert shown(kb.texts.reading_intro) not in result
    report = submit(web, result, "/download/report.md")
    assert child.texts.report_title in report.text
    flag = next(q for q in child.questions if q.role == "red_flag")
    stopped = walk_to_result(web, kb, {"who": "child", flag.id: "yes"})
    assert shown(child.texts.stopped_early) in stopped


def test_with_reading_joins_the_advice_only_when_there_is_reading(rules_copy: Path) -> None:
    for level in ("soon", "emergency"):  # an emergency result offers no reading
        replace_in(rules_copy / "levels.yaml", f"  - id: {level}\n",
                   f"  - id: {level}\n    with_reading: The reading below may help.\n")
    kb = load_knowledge_base(rules_copy)
    with client(kb) as web:
        with_reading = walk_to_result(web, kb, SOON)
        urgent = walk_to_result(web, kb, {"who": "self", "age": "40_to_59",
                                          "breathing_trouble": "yes"})
    assert "The reading below may help." in with_reading.split("</div>")[1]  # in the panel
    assert kb.level("emergency").title in urgent
    assert "The reading below may help." not in urgent  # no reading: no line


def walk_to(web: TestClient, kb: KnowledgeBase, question_id_wanted: str,
            wanted: dict[str, AnswerValue]) -> str:
    """The page of one question, every question before it answered (``wanted`` or calm)."""
    page = post(web, "/question", [])
    for question, value in answer_path(kb, wanted):
        if question.id == question_id_wanted:
            break
        values = (value,) if isinstance(value, str) else value
        page = answer(web, page.text, *values, none=values == ())
    assert question_id(page.text) == question_id_wanted
    return page.text


def test_not_sure_is_refused_beside_others(web: TestClient, kb: KnowledgeBase) -> None:
    where = kb.question("where_affected")
    page = walk_to(web, kb, where.id, {**SOON, "weaker": "yes"})
    both = answer(web, page, "hands", "unsure")
    assert both.status_code == 400 and 'class="error-summary"' in both.text
    assert shown("'Not sure' goes on its own") in both.text
    assert shown(where.text) in both.text  # the page names the question it refuses
    alone = answer(web, page, "unsure")
    assert ("answer.where_affected", "unsure") in form(alone.text, "/question").hidden


def test_none_of_these_is_refused_beside_a_medicine(web: TestClient, kb: KnowledgeBase) -> None:
    page = walk_to(web, kb, "medicines", SOON)
    both = answer(web, page, "statin", "none")
    assert both.status_code == 400
    assert shown("'None of these' goes on its own") in both.text
    assert shown(kb.question("medicines").text) in both.text


def test_a_carried_answer_that_goes_alone_beside_others_is_refused(
        web: TestClient, kb: KnowledgeBase) -> None:
    """A form whose hidden answers were edited is read as an answers file is: refused, with the
    question named."""
    page = walk_to(web, kb, "medicines", SOON)
    fields = [(name, value) for name, value in form(page, "/question").hidden]
    refused = post(web, "/question", [*fields, ("answer.other_illness", "none"),
                                      ("answer.other_illness", "cancer")])
    assert refused.status_code == 400
    assert "other_illness" in refused.text
    assert shown("'None of these' goes on its own") in refused.text


def test_does_not_apply_is_refused_beside_others(rules_copy: Path) -> None:
    kb = where_with_does_not_apply(rules_copy)
    with client(kb) as web:
        page = walk_to(web, kb, "where_affected", {**SOON, "weaker": "yes"})
        both = answer(web, page, "hands", "not_applicable")
        assert both.status_code == 400 and 'class="error-summary"' in both.text
        assert shown("'Does not apply' goes on its own") in both.text
        alone = answer(web, page, "not_applicable")
        assert ("answer.where_affected", "not_applicable") in form(alone.text, "/question").hidden


def test_a_list_with_its_own_none_of_these_shows_it_once(web: TestClient,
                                                          kb: KnowledgeBase) -> None:
    page = walk_to(web, kb, "medicines", SOON)
    assert page.count(">None of these</label>") == 1
    chosen = answer(web, page, "none")
    assert ("answer.medicines", "none") in form(chosen.text, "/question").hidden
    inactivity = walk_to(web, kb, "inactivity", {**SOON, "weaker": "yes"})
    assert inactivity.count(">None of these</label>") == 1  # the page's own: the list has none
