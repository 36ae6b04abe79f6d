"""FHIR output: `export fhir` and `assess --fhir-response`, validated by fhir.resources and by
the checks it does not make (bindings, linkId references, allowed answers, enableWhen meaning).

fhir.resources 8 models FHIR R5, R4B and STU3; R4B is the nearest to R4 and identical for every
element we write, so the resources are validated as R4B.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.conditions import evaluate
from engine.model import (
    AllOf,
    AnswerTest,
    AnswerValue,
    AnyOf,
    Condition,
    FactTest,
    KnowledgeBase,
    NotOf,
)
from questionnaire.render.fhir import (
    ITEM_CONTROL_CODES,
    NONE_CODE,
    QUESTIONNAIRE_URL,
    EnableWhen,
    enable_when,
    questionnaire,
    questionnaire_response,
)
from tests.conftest import replace_in, run_cli

ITEM_TYPES = {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time",
              "string", "text", "url", "choice", "open-choice", "attachment", "reference",
              "quantity"}


def exported(*argv: str) -> dict[str, Any]:
    result = run_cli("export", "fhir", *argv)
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


def codings(node: Any) -> Iterator[dict[str, Any]]:
    """Every Coding anywhere in a resource."""
    if isinstance(node, dict):
        if "system" in node and "code" in node:
            yield node
        for value in node.values():
            yield from codings(value)
    elif isinstance(node, list):
        for value in node:
            yield from codings(value)


def question_items(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["linkId"]: item for item in resource["item"]}


def allowed(item: dict[str, Any]) -> set[tuple[str, str]]:
    return {(o["valueCoding"]["system"], o["valueCoding"]["code"]) for o in item["answerOption"]}


@pytest.fixture(scope="module")
def shipped_questionnaire() -> dict[str, Any]:
    return exported()


def test_questionnaire_is_valid_fhir_draft_and_experimental(
        shipped_questionnaire: dict[str, Any], kb: KnowledgeBase) -> None:
    model = Questionnaire.model_validate(shipped_questionnaire)
    assert model.status == "draft" and model.experimental is True
    assert [item["linkId"] for item in shipped_questionnaire["item"]] == [q.id for q in
                                                                          kb.questions]


def test_items_follow_the_question_kinds(shipped_questionnaire: dict[str, Any],
                                         kb: KnowledgeBase) -> None:
    items = question_items(shipped_questionnaire)
    for question in kb.questions:
        item = items[question.id]
        assert item["type"] in ITEM_TYPES and item["type"] == "choice"
        codes = [o["valueCoding"]["code"] for o in item["answerOption"]]
        if question.kind == "several_of":
            assert item["repeats"] is True
            assert codes == [*question.values, NONE_CODE]
            assert item["answerOption"][-1]["extension"][0]["valueBoolean"] is True
        else:
            assert "repeats" not in item and codes == list(question.values)
        assert item["item"][0]["text"] == question.why  # the "why" travels as help text


def test_no_codes_but_our_own(shipped_questionnaire: dict[str, Any]) -> None:
    systems = {coding["system"] for coding in codings(shipped_questionnaire)}
    assert systems, "the export has no codings at all"
    for system in systems:
        assert system.startswith("urn:muscle-triage:") or system == ITEM_CONTROL_CODES, system


def test_every_enable_when_names_an_earlier_item_and_one_of_its_answers(
        shipped_questionnaire: dict[str, Any], kb: KnowledgeBase) -> None:
    items = shipped_questionnaire["item"]
    position = {item["linkId"]: index for index, item in enumerate(items)}
    link_ids = [item["linkId"] for item in items]
    link_ids += [child["linkId"] for item in items for child in item.get("item", [])]
    assert len(link_ids) == len(set(link_ids)), "linkIds must be unique"
    conditional = [item for item in items if "enableWhen" in item]
    assert len(conditional) == sum(1 for q in kb.questions
                                   if q.ask_if is not None and enable_when(q.ask_if))
    for item in conditional:
        entries = item["enableWhen"]
        assert (len(entries) > 1) == ("enableBehavior" in item)  # FHIR invariant que-12
        assert item.get("enableBehavior", "all") in {"all", "any"}
        for entry in entries:
            target = entry["question"]
            assert target in position and position[target] < position[item["linkId"]]
            coding = entry["answerCoding"]
            assert entry["operator"] in {"=", "!="}
            assert (coding["system"], coding["code"]) in allowed(items[position[target]])


# --- the meaning of enableWhen ------------------------------------------------------------------


def fhir_enabled(rule: EnableWhen, answers: Mapping[str, AnswerValue]) -> bool:
    """FHIR's reading of enableWhen: '=' is true when any answer to the question equals the
    value, '!=' when no answer does (so also when there is no answer)."""
    def holds(question: str, operator: str, value: str) -> bool:
        given = answers.get(question)
        chosen = (given,) if isinstance(given, str) else (given or ())
        return (value in chosen) == (operator == "=")

    results = [holds(question, operator, value) for question, operator, value in rule.tests]
    return any(results) if rule.behavior == "any" else all(results)


@st.composite
def answer_sets(draw: st.DrawFn, kb: KnowledgeBase) -> dict[str, AnswerValue]:
    answers: dict[str, AnswerValue] = {}
    for question in kb.questions:
        if not draw(st.booleans()):
            continue
        if question.kind == "several_of":
            chosen = draw(st.lists(st.sampled_from(question.values), unique=True))
            answers[question.id] = tuple(sorted(chosen))
        else:
            answers[question.id] = draw(st.sampled_from(question.values))
    return answers


def conditions(kb: KnowledgeBase) -> st.SearchStrategy[Condition]:
    def test(draw_question: Any) -> st.SearchStrategy[Condition]:
        question = draw_question
        op = "includes_any" if question.kind == "several_of" else "in"
        return st.lists(st.sampled_from(question.values), min_size=1, unique=True).map(
            lambda values: AnswerTest(question.id, frozenset(values), op))

    leaves = st.sampled_from(kb.questions).flatmap(test) | st.just(FactTest("some_fact"))
    return st.recursive(leaves, lambda inner: (
        st.lists(inner, min_size=1, max_size=3).map(lambda parts: AllOf(tuple(parts)))
        | st.lists(inner, min_size=1, max_size=3).map(lambda parts: AnyOf(tuple(parts)))
        | inner.map(NotOf)), max_leaves=6)


@pytest.mark.slow
def test_enable_when_means_what_ask_if_means(kb: KnowledgeBase) -> None:
    """For any condition FHIR can express, FHIR's reading agrees with ours on any answers."""
    @settings(max_examples=150, deadline=None)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        condition = data.draw(conditions(kb))
        rule = enable_when(condition)
        if rule is None:
            return
        answers = data.draw(answer_sets(kb))
        assert fhir_enabled(rule, answers) == evaluate(condition, answers), condition

    check()


def test_conditions_fhir_cannot_express_are_refused(kb: KnowledgeBase) -> None:
    yes = AnswerTest("weaker", frozenset({"yes"}))
    either = AnswerTest("onset", frozenset({"over_days", "over_weeks"}), "in")
    assert enable_when(FactTest("muscle_change")) is None
    assert enable_when(NotOf(FactTest("muscle_change"))) is None
    assert enable_when(AllOf((yes, either))) is None  # "and" of an "or"
    assert enable_when(AnyOf((yes, AllOf((yes, yes))))) is None
    assert enable_when(NotOf(AnyOf((yes, NotOf(either))))) is None  # "and" of an "or" again
    assert enable_when(AllOf((yes, AllOf((yes,))))) == EnableWhen(
        (("weaker", "=", "yes"), ("weaker", "=", "yes")), "all")
    assert enable_when(AnyOf((yes, either))) == EnableWhen(
        (("weaker", "=", "yes"), ("onset", "=", "over_days"), ("onset", "=", "over_weeks")),
        "any")


def test_a_not_becomes_not_equals_by_de_morgan() -> None:
    yes = AnswerTest("weaker", frozenset({"yes"}))
    either = AnswerTest("onset", frozenset({"over_days", "over_weeks"}), "in")
    assert enable_when(NotOf(yes)) == EnableWhen((("weaker", "!=", "yes"),), None)
    assert enable_when(NotOf(either)) == EnableWhen(
        (("onset", "!=", "over_days"), ("onset", "!=", "over_weeks")), "all")
    assert enable_when(NotOf(AnyOf((yes, either)))) == EnableWhen(
        (("weaker", "!=", "yes"), ("onset", "!=", "over_days"), ("onset", "!=", "over_weeks")),
        "all")
    assert enable_when(NotOf(NotOf(yes))) == EnableWhen((("weaker", "=", "yes"),), None)


def test_every_shipped_ask_if_fits_fhir_the_age_gates_as_not_equals(kb: KnowledgeBase) -> None:
    """The age gates use `not` (so answers without `who` or `child_age` keep the question): in
    FHIR they are '!=' tests, and the export has nothing to note."""
    result = run_cli("export", "fhir")
    assert result.code == 0
    assert "note:" not in result.err, result.err
    assert all(enable_when(q.ask_if) for q in kb.questions if q.ask_if is not None)
    items = question_items(json.loads(result.out))
    gated = [q.id for q in kb.questions if isinstance(q.ask_if, NotOf)]
    assert gated, "the shipped questions have no age gate to check"
    for question_id in gated:
        entries = items[question_id]["enableWhen"]
        assert {entry["operator"] for entry in entries} == {"!="}
        assert items[question_id].get("enableBehavior", "all") == "all"


def test_an_ask_if_fhir_cannot_express_is_said_in_the_item_and_on_stderr(
        rules_copy: Path) -> None:
    replace_in(rules_copy / "questions.yaml",
               "    ask_if:\n      any:\n        - {answer: who, is: child}\n"
               "        - {answer: age, is: under_18}\n",
               "    ask_if:\n      any:\n        - {answer: who, is: baby}\n"
               "        - all: [{answer: who, is: child}, {answer: age, is: under_18}]\n")
    result = run_cli("export", "fhir", "--rules", str(rules_copy))
    assert result.code == 0, result.err
    assert "note: question 'child_signs'" in result.err and "no FHIR enableWhen" in result.err
    data = json.loads(result.out)
    Questionnaire.model_validate(data)
    item = question_items(data)["child_signs"]
    assert "enableWhen" not in item and "enableBehavior" not in item
    assert "who is baby or (who is child and" in item["extension"][0]["valueString"]
    assert any(child["text"].startswith("Answer this only if: (who is baby or (who is child")
               for child in item["item"])


def test_export_to_a_file_is_private_and_never_overwritten(tmp_path: Path,
                                                          kb: KnowledgeBase) -> None:
    target = tmp_path / "q.json"
    first = run_cli("export", "fhir", "-o", str(target))
    assert first.code == 0 and first.out == ""
    assert f"{len(kb.questions)} questions" in first.err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text(encoding="utf-8"))["resourceType"] == "Questionnaire"
    target.write_text("mine", encoding="utf-8")
    refused = run_cli("export", "fhir", "-o", str(target))
    assert refused.code == 2 and "--force" in refused.err
    assert target.read_text(encoding="utf-8") == "mine"
    assert run_cli("export", "fhir", "-o", str(target), "--force").code == 0
    assert target.read_text(encoding="utf-8") != "mine"


# --- QuestionnaireResponse ----------------------------------------------------------------------


ANSWERS = """\
weaker: yes
onset: over_months
where_affected: [hands, feet_ankles]
inactivity: []
child_signs: [toe_walking]
"""


def test_assess_writes_a_valid_response_to_the_exported_questionnaire(
        tmp_path: Path, shipped_questionnaire: dict[str, Any]) -> None:
    target = tmp_path / "response.json"
    result = run_cli("assess", "--answers", "-", "--fhir-response", str(target), stdin=ANSWERS)
    assert result.code == 0, result.err
    assert "child_signs" in result.err  # set aside: who was not answered (not a child)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    data = json.loads(target.read_text(encoding="utf-8"))
    model = QuestionnaireResponse.model_validate(data)
    assert model.status == "completed"
    assert data["questionnaire"].split("|")[0] == shipped_questionnaire["url"] == \
        QUESTIONNAIRE_URL
    items = question_items(shipped_questionnaire)
    answered = {item["linkId"]: [a["valueCoding"]["code"] for a in item["answer"]]
                for item in data["item"]}
    assert answered == {"weaker": ["yes"], "onset": ["over_months"],
                        "where_affected": ["feet_ankles", "hands"],
                        "inactivity": [NONE_CODE]}
    assert list(answered) == [link for link in items if link in answered]  # asking order
    for item in data["item"]:
        for answer in item["answer"]:
            coding = answer["valueCoding"]
            assert (coding["system"], coding["code"]) in allowed(items[item["linkId"]])


def test_response_items_are_enabled_by_the_questionnaire(kb: KnowledgeBase) -> None:
    """Every answered item of a response is one its questionnaire enables, for any answers."""
    from engine.run.answers import applicable

    items = question_items(questionnaire(kb).resource)

    @settings(max_examples=100, deadline=None)
    @given(answer_sets(kb))
    def check(answers: dict[str, AnswerValue]) -> None:
        kept, _ = applicable(kb, answers)
        response = questionnaire_response(kb, kept)
        given_codes = {item["linkId"]: {(a["valueCoding"]["system"], a["valueCoding"]["code"])
                                        for a in item["answer"]} for item in response["item"]}
        for link_id in given_codes:
            entries = items[link_id].get("enableWhen")
            if not entries:
                continue
            results = [((e["answerCoding"]["system"], e["answerCoding"]["code"])
                        in given_codes.get(e["question"], set())) == (e["operator"] == "=")
                       for e in entries]
            behavior = items[link_id].get("enableBehavior", "all")
            assert any(results) if behavior == "any" else all(results), link_id

    check()


def test_refused_response_file_prints_no_result(tmp_path: Path) -> None:
    target = tmp_path / "response.json"
    target.write_text("earlier", encoding="utf-8")
    result = run_cli("assess", "--answers", "-", "--fhir-response", str(target), stdin=ANSWERS)
    assert result.code == 2 and "--force" in result.err and result.out == ""
    assert target.read_text(encoding="utf-8") == "earlier"
    forced = run_cli("assess", "--answers", "-", "--fhir-response", str(target), "--force",
                     stdin=ANSWERS)
    assert forced.code == 0 and forced.out
    assert json.loads(target.read_text(encoding="utf-8"))["resourceType"] == \
        "QuestionnaireResponse"
