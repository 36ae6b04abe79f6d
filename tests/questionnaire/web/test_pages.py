"""The person's path through the web pages, as a browser with JavaScript off would walk it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from starlette.testclient import TestClient

from engine.model import AnswerValue, KnowledgeBase
from engine.run.assess import assess
from questionnaire.flow import NotAsked, Questionnaire
from questionnaire.web.forms import Hidden, hidden_fields
from tests.answer_paths import answer_path
from tests.conftest import CliResult
from tests.questionnaire.web.pages import (
    answer,
    back,
    checked,
    client,
    first_red_flag,
    form,
    forms,
    past_the_opening,
    post,
    question_id,
    submit,
    walk,
)

#: Answers that lead to "see a doctor soon" with reading, several-of questions included.
MUSCLE_CHANGE: dict[str, AnswerValue] = {
    "muscles_smaller": "yes", "weaker": "yes", "onset": "over_months",
    "where_affected": ("hands", "feet_ankles"), "inactivity": ()}


@pytest.fixture(scope="module")
def web(kb: KnowledgeBase) -> Iterator[TestClient]:
    with client(kb) as running:  # one event-loop thread, so one compiled engine, for them all
        yield running


def test_the_welcome_carries_the_notice_and_starts_with_a_post(web: TestClient,
                                                               kb: KnowledgeBase) -> None:
    page = web.get("/")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text and 'href="#main"' in page.text
    assert kb.notice in page.text
    assert form(page.text, "/question").hidden == []
    assert "set-cookie" not in page.headers


def test_a_question_page_is_a_fieldset_with_its_why_and_real_inputs(web: TestClient,
                                                                   kb: KnowledgeBase) -> None:
    page = post(web, "/question", [])
    first = kb.questions[0]
    assert question_id(page.text) == first.id
    legend = page.text[page.text.index("<legend>"):page.text.index("</legend>")]
    assert "<h1" in legend and "Question 1 of about" in legend
    assert '<details class="why">' in page.text and "Why are we asking this?" in page.text
    assert [value for kind, _, value, _ in forms(page.text)[-1].choices if kind == "radio"] == [
        o.value for o in first.options]
    assert 'class="back-link" href="/"' in page.text  # first question: back to the welcome


def test_a_routine_walk_ends_at_check_your_answers_then_the_result(web: TestClient,
                                                                   kb: KnowledgeBase) -> None:
    page = walk(web, kb, MUSCLE_CHANGE)
    assert "<h1>Check your answers</h1>" in page.text
    expected = assess(kb, {q.id: v for q, v in answer_path(kb, MUSCLE_CHANGE)})
    changes = [value for name, value, _ in form(page.text, "/change").buttons]
    assert changes == list(expected.answers)
    result = submit(web, page.text, "/result")
    assert result.status_code == 200
    assert expected.level.title in result.text and kb.notice in result.text
    for text in expected.guidance:
        assert text.replace("'", "&#39;") in result.text
    assert expected.reading and all(item.link in result.text for item in expected.reading)
    assert "How we got here" in result.text and '<details class="why-tree">' in result.text
    raising = [s.rule.id for s in expected.trace if s.rule.then.level == expected.level.id]
    assert raising and all(f"[{rule}]" in result.text for rule in raising)  # in the tree
    assert "Change an answer" in result.text


def test_an_emergency_answer_ends_the_questions_at_once(web: TestClient, kb: KnowledgeBase
                                                       ) -> None:
    page = past_the_opening(web, kb)
    opening = form(page.text, "/question").hidden
    assert question_id(page.text) == first_red_flag(kb)
    page = answer(web, page.text, "yes")
    assert question_id(page.text) is None
    assert kb.level("emergency").title in page.text
    assert kb.texts.stopped_early in page.text
    assert form(page.text, "/check").hidden == [*opening, ("answer." + first_red_flag(kb), "yes")]


def test_a_red_flag_asked_later_stops_there_too(web: TestClient, kb: KnowledgeBase) -> None:
    flags = [q for q in kb.questions if q.raises_to == "emergency"]
    page = walk(web, kb, {flags[-1].id: "yes"})
    assert kb.level("emergency").title in page.text
    assert kb.texts.stopped_early in page.text


def test_back_forgets_the_last_answer_and_offers_it_again(web: TestClient,
                                                         kb: KnowledgeBase) -> None:
    page = post(web, "/question", [])
    page = answer(web, page.text, "adult")
    assert question_id(page.text) == kb.questions[1].id
    page = back(web, page.text)
    assert question_id(page.text) == kb.questions[0].id
    assert checked(page.text) == ["adult"]
    assert 'class="back-link" href="/"' in page.text  # the first question's Back: the welcome
    welcome = post(web, "/question", [*form(page.text, "/question").hidden, ("action", "back")])
    assert "Start the questions" in welcome.text


def test_change_an_answer_goes_back_to_it_with_later_answers_suggested(
        web: TestClient, kb: KnowledgeBase) -> None:
    page = walk(web, kb, MUSCLE_CHANGE)
    page = submit(web, page.text, "/change", button=("change", "weaker"))
    assert question_id(page.text) == "weaker"
    assert checked(page.text) == ["yes"]
    page = answer(web, page.text, "no")
    before = {q.id: v for q, v in answer_path(kb, MUSCLE_CHANGE)}
    assert checked(page.text) == [before[question_id(page.text) or ""]]  # suggested again
    cont = answer(web, page.text, *checked(page.text))
    assert cont.status_code == 200


def test_continue_without_an_answer_shows_the_error_summary(web: TestClient) -> None:
    page = post(web, "/question", [])
    again = answer(web, page.text)
    assert again.status_code == 400
    assert 'class="error-summary"' in again.text and "Choose an answer." in again.text
    target = again.text.split('class="error-summary"')[1].split('href="#')[1].split('"')[0]
    assert f'id="{target}"' in again.text
    assert "<title>Error:" in again.text


def _same_question_two_ways(kb: KnowledgeBase) -> tuple[dict[str, AnswerValue], ...]:
    """Two sets of answers, different in one answer, after which the questions go on alike: the
    same next question at the same count (Question N of about M)."""
    path = [(q.id, v) for q, v in answer_path(kb, {})]
    for length in range(2, len(path)):
        calm = dict(path[:length])
        for changed, _ in path[:length - 1]:
            for other in kb.question(changed).values:
                if other == calm[changed] or kb.question(changed).kind == "several_of":
                    continue
                varied = {**calm, changed: other}
                runs = [Questionnaire(kb) for _ in range(2)]
                try:
                    for run, answers in zip(runs, (calm, varied), strict=True):
                        run.resume(answers)
                except NotAsked:
                    continue
                first, second = runs
                if (first.current() is not None and second.current() is not None
                        and first.current() == second.current()
                        and first.progress() == second.progress()):
                    return calm, varied
    raise AssertionError("no two walks reach one question alike: pick another pair by hand")


def _answers_on(html: str) -> list[list[tuple[str, str]]]:
    """The answer fields each form of a question page carries."""
    return [[(n, v) for n, v in f.hidden if n.startswith("answer.")] for f in forms(html)]


def test_a_question_page_rendered_at_start_up_carries_each_walk_its_own_answers(
        web: TestClient, kb: KnowledgeBase) -> None:
    """Question pages are rendered at start-up around holes for the answers and the count
    (routes.py Site.question_page): two walks at the same question and count get the same page,
    each with its own answers in both forms (Back and Continue), whichever came first; an error
    page is rendered afresh, and no request adds to or changes the pages kept."""
    kept = dict(web.app.state.site.question_pages)  # type: ignore[attr-defined]
    two_ways = _same_question_two_ways(kb)
    pairs = [[(f.name, f.value) for f in hidden_fields(answers)] for answers in two_ways]
    pages = [post(web, "/question", posted).text for posted in (*pairs, pairs[0])]
    run = Questionnaire(kb)
    run.resume(two_ways[0])
    count = run.progress()
    assert f"Question {count.number} of about {count.about}</span>" in pages[0]
    assert len({question_id(page) for page in pages}) == 1
    for posted, page in zip((*pairs, pairs[0]), pages, strict=True):
        assert _answers_on(page) == [posted, posted]
    assert pages[0] == pages[2] and pages[0] != pages[1]
    erred = post(web, "/question", [*pairs[1], ("question", question_id(pages[1]) or "")])
    assert erred.status_code == 400 and 'class="error-summary"' in erred.text
    again = post(web, "/question", pairs[1])
    assert again.text == pages[1] and 'class="error-summary"' not in again.text
    assert web.app.state.site.question_pages == kept  # type: ignore[attr-defined]


def test_hidden_fields_put_together_at_start_up_are_the_macros_own(
        web: TestClient, kb: KnowledgeBase) -> None:
    """Site.carry puts the hidden fields together from ones rendered at start-up: each is what
    the template's macro renders for it, and a field the question bank does not hold (which the
    answers reader never lets through) is still rendered, escaped, by the macro."""
    site = web.app.state.site  # type: ignore[attr-defined]
    carry = site.templates.get_template("macros.html").module.carry
    several = next(q for q in kb.questions if q.kind == "several_of")
    walked = {**MUSCLE_CHANGE, several.id: ()}
    fields = hidden_fields(walked, {"weaker": "no", several.id: several.values[:2]})
    assert all(field in site.carried_fields for field in fields)
    assert site.carry(fields) == carry(fields)
    odd = [*fields, Hidden("answer.weaker", '"><script>')]
    assert site.carry(odd) == carry(odd) and "<script>" not in site.carry(odd)


def test_several_of_takes_options_or_none_but_not_both(web: TestClient, kb: KnowledgeBase
                                                      ) -> None:
    page = post(web, "/question", [])
    for question, value in answer_path(kb, MUSCLE_CHANGE):
        if question.id == "inactivity":
            break
        values = (value,) if isinstance(value, str) else value
        page = answer(web, page.text, *values, none=values == ())
    assert question_id(page.text) == "inactivity"
    both = answer(web, page.text, "cast", none=True)
    assert both.status_code == 400 and "not both" in both.text
    neither = answer(web, page.text)
    assert neither.status_code == 400 and "None of these" in neither.text
    done = answer(web, page.text, none=True)
    assert ("answer.inactivity", "") in form(done.text, "/question").hidden


def test_the_answers_download_replays_to_the_same_result(
        web: TestClient, kb: KnowledgeBase, tmp_path: Path,
        cli_kb: Callable[..., CliResult]) -> None:
    page = walk(web, kb, MUSCLE_CHANGE)
    result = submit(web, page.text, "/result")
    saved = submit(web, result.text, "/download/answers.yaml")
    assert saved.status_code == 200
    assert saved.headers["content-disposition"].startswith("attachment")
    path = tmp_path / "answers.yaml"
    path.write_text(saved.text, encoding="utf-8")
    replayed = cli_kb("assess", "--answers", str(path), "--format", "json")
    assert replayed.code == 0, replayed.err
    expected = assess(kb, {q.id: v for q, v in answer_path(kb, MUSCLE_CHANGE)})
    data = json.loads(replayed.out)
    assert data["urgency"]["level"] == expected.level.id
    assert [step["rule"] for step in data["trace"]] == [s.rule.id for s in expected.trace]


def test_the_report_and_fhir_downloads(web: TestClient, kb: KnowledgeBase) -> None:
    page = walk(web, kb, MUSCLE_CHANGE)
    result = submit(web, page.text, "/result")
    html = submit(web, result.text, "/download/report.html")
    assert html.headers["content-type"].startswith("text/html")
    assert "<!DOCTYPE html>" in html.text and "notes for a visit to the doctor" in html.text
    md = submit(web, result.text, "/download/report.md")
    assert md.text.startswith("# Muscle changes") and "Not a diagnosis" in md.text
    fhir = submit(web, result.text, "/download/questionnaire-response.json")
    resource = QuestionnaireResponse.model_validate(fhir.json())
    assert {item.linkId for item in resource.item or []} >= {"weaker", "where_affected"}
    missing = post(web, "/download/other.txt", form(result.text, "/check").hidden)
    assert missing.status_code == 404


def test_every_page_of_a_walk_is_no_store_and_sets_no_cookie(web: TestClient,
                                                            kb: KnowledgeBase) -> None:
    page = past_the_opening(web, kb)
    for _ in range(5):
        assert page.headers["cache-control"] == "no-store"
        assert "set-cookie" not in page.headers
        page = answer(web, page.text, "no")


def test_no_page_reads_as_a_diagnosis(web: TestClient, kb: KnowledgeBase) -> None:
    """The wording lint over every kind of page as a reader sees it. Left out: the notice (which
    must say the tool does not diagnose, linted with its own exception), the citations, which
    name their sources' sections as the sources do, and knowledge-base ids ("diagnosis" is a
    reading topic's id), shown to educators as in every front end."""
    import re
    from html import unescape

    from engine.load.wording_lint import diagnostic_wording
    from questionnaire.render.cards import known_ids

    ids = set(known_ids(kb))
    quoted = [" ".join(kb.notice.split())] + [" ".join(c.split()) for _, c in kb.sources]

    def words(html: str) -> str:
        body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
        text = " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())
        for known in quoted:
            text = text.replace(known, " ")
        return " ".join(word for word in text.split() if word.strip("[]():,.") not in ids)

    pages = [web.get("/").text, post(web, "/question", []).text]
    soon = walk(web, kb, MUSCLE_CHANGE)
    pages += [soon.text, submit(web, soon.text, "/result").text,
              answer(web, past_the_opening(web, kb).text, "yes").text,
              answer(web, pages[1]).text,
              web.get("/rules").text, web.get("/demo").text,
              web.get("/demo/rule_chain?step=2").text,
              web.get("/demo/rule_chain?step=999").text]  # with "What would change it"
    carried = form(pages[3], "/check").hidden  # the result's answers: the cards' why (not)
    pages += [post(web, f"/rules/card/{rule.id}", carried).text for rule in kb.rules[:5]]
    pages += [web.get(f"/rules/card/{rule.id}").text for rule in kb.rules]
    for page in pages:
        assert diagnostic_wording(words(page), "web") == [], words(page)[:300]
