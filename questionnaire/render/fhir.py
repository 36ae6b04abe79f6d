"""The question bank and a session's answers as HL7 FHIR R4 resources (plain JSON values).

Health software meets other health software through FHIR, so the question bank can leave as a
``Questionnaire`` and a session's answers as a ``QuestionnaireResponse``. Both are built from the
typed knowledge base here, with no FHIR library at run time (the tests validate the output with
fhir.resources).

What we promise and what we do not:

- Codes are our own: every answer is a Coding in a code system of this tool (one per question,
  under ``urn:muscle-triage``). We attach no clinical codes (SNOMED CT, LOINC...) because nobody
  has checked that they mean what our questions mean.
- ``ask_if`` becomes ``enableWhen``/``enableBehavior`` when FHIR can say the same thing: one
  answer test, or any-of / all-of answer tests on earlier questions, each test either ``=`` or,
  under a ``not``, ``!=`` (FHIR: "true if no answer has a value that is equal", so also true when
  the question has no answer, as our ``not`` is). A ``not`` is pushed down to the tests by De
  Morgan's laws. Anything else (a derived fact, a mix of "and" and "or") cannot be expressed
  there: such an item is always enabled, carries the condition as an extension and as a note a
  person can read, and the caller gets a note to print.
- yes/no questions are ``choice`` items, not ``boolean``: they offer "not sure" too.
- A several-of question with nothing chosen ("none of these") is a different answer from no
  answer at all; FHIR has no empty answer, so such items get one more option, ``none-of-these``,
  marked exclusive. Our option values cannot contain a hyphen, so it never clashes with one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from engine.explain.words import formula
from engine.model import (
    AllOf,
    AnswerTest,
    AnswerValue,
    AnyOf,
    Condition,
    KnowledgeBase,
    NotOf,
    Question,
)
from questionnaire.version import tool_version

#: JSON as the standard library reads and writes it: what a FHIR resource is here.
FhirJson = dict[str, Any]

#: Our own namespace for every identifier we mint. It names no web address we do not control.
BASE = "urn:muscle-triage"
QUESTIONNAIRE_URL = f"{BASE}:questionnaire"
ASK_IF_EXTENSION = f"{BASE}:extension:ask-if"
#: The extra exclusive option of a several-of item: "none of these" chosen.
NONE_CODE = "none-of-these"
NONE_DISPLAY = "None of these"

ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_CODES = "http://hl7.org/fhir/questionnaire-item-control"
OPTION_EXCLUSIVE = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"


def answer_system(question: Question) -> str:
    """The code system of one question's answers: its option values are the codes."""
    return f"{BASE}:answers:{question.id}"



@dataclass(frozen=True)
class EnableWhen:
    """An ``ask_if`` in FHIR terms: answer tests joined by one behaviour."""

    tests: tuple[tuple[str, str, str], ...]  # (question id, operator "=" or "!=", answer value)
    behavior: str | None  # "any" or "all"; None when there is a single test


def enable_when(condition: Condition) -> EnableWhen | None:
    """The FHIR form of a condition, or None when FHIR's enableWhen cannot express it.

    FHIR's ``=`` on a repeating (several-of) question holds when any chosen answer equals the
    value, which is what ``includes`` means, so both kinds of answer test map to ``=``; and its
    ``!=`` holds when no chosen answer equals it, which is what a negated test means.
    """
    flat = _flatten(condition, negated=False)
    if flat is None:
        return None
    behavior, tests = flat
    return EnableWhen(tuple(tests), behavior if len(tests) > 1 else None)


def _flatten(condition: Condition, negated: bool
             ) -> tuple[str | None, list[tuple[str, str, str]]] | None:
    if isinstance(condition, NotOf):
        return _flatten(condition.part, not negated)
    if isinstance(condition, AnswerTest):
        # not (q = a or q = b) is (q != a and q != b): De Morgan on the values of one test
        operator, joined = ("!=", "all") if negated else ("=", "any")
        tests = [(condition.question, operator, value) for value in sorted(condition.values)]
        return (joined if len(tests) > 1 else None), tests
    if not isinstance(condition, (AnyOf, AllOf)):
        return None  # a derived fact: a Questionnaire cannot see what the rules conclude
    wanted = "any" if isinstance(condition, AnyOf) != negated else "all"
    tests = []
    for part in condition.parts:
        flat = _flatten(part, negated)
        if flat is None or flat[0] not in (None, wanted):
            return None
        tests += flat[1]
    return wanted, tests


@dataclass(frozen=True)
class QuestionnaireExport:
    """The Questionnaire, and a note for each ``ask_if`` FHIR could not carry."""

    resource: FhirJson
    notes: tuple[str, ...]


def _coding(question: Question, value: str) -> FhirJson:
    if value == NONE_CODE:
        return {"system": answer_system(question), "code": NONE_CODE, "display": NONE_DISPLAY}
    return {"system": answer_system(question), "code": value,
            "display": question.label_of(value)}


def _item(kb: KnowledgeBase, question: Question, notes: list[str]) -> FhirJson:
    item: FhirJson = {"linkId": question.id, "text": question.text, "type": "choice"}
    if question.kind == "several_of":
        item["repeats"] = True
    options: list[FhirJson] = [{"valueCoding": _coding(question, option.value)}
                               for option in question.options]
    if question.kind == "several_of":
        options.append({"valueCoding": _coding(question, NONE_CODE),
                        "extension": [{"url": OPTION_EXCLUSIVE, "valueBoolean": True}]})
    item["answerOption"] = options
    children: list[FhirJson] = [{
        "linkId": f"{question.id}.why", "type": "display", "text": question.why,
        "extension": [{"url": ITEM_CONTROL, "valueCodeableConcept": {
            "coding": [{"system": ITEM_CONTROL_CODES, "code": "help"}]}}],
    }]
    if question.ask_if is not None:
        fhir = enable_when(question.ask_if)
        if fhir is not None:
            item["enableWhen"] = [
                {"question": asked, "operator": operator,
                 "answerCoding": _coding(kb.question(asked), value)}
                for asked, operator, value in fhir.tests]
            if fhir.behavior:
                item["enableBehavior"] = fhir.behavior
        else:
            written = formula(question.ask_if)
            item["extension"] = [{"url": ASK_IF_EXTENSION, "valueString": written}]
            children.append({"linkId": f"{question.id}.ask_if", "type": "display",
                             "text": f"Answer this only if: {written}"})
            notes.append(f"question '{question.id}': its ask_if ({written}) has no FHIR "
                         "enableWhen form; the item is always enabled and says when to answer")
    item["item"] = children
    return item


def questionnaire(kb: KnowledgeBase) -> QuestionnaireExport:
    """The question bank, in asking order, as a draft, experimental FHIR R4 Questionnaire."""
    notes: list[str] = []
    items = [_item(kb, question, notes) for question in kb.questions]
    resource: FhirJson = {
        "resourceType": "Questionnaire",
        "url": QUESTIONNAIRE_URL,
        "version": tool_version(),
        "name": "MuscleTriage",
        "title": "muscle-triage question bank",
        "status": "draft",
        "experimental": True,
        "description": kb.notice,
        "item": items,
    }
    return QuestionnaireExport(resource, tuple(notes))


def _answers(question: Question, value: AnswerValue) -> list[FhirJson]:
    values = (value,) if isinstance(value, str) else (value or (NONE_CODE,))
    return [{"valueCoding": _coding(question, one)} for one in values]


def questionnaire_response(kb: KnowledgeBase, answers: Mapping[str, AnswerValue],
                           authored: datetime | None = None) -> FhirJson:
    """A completed QuestionnaireResponse for answers (pass only those whose question is asked).

    Items follow the asking order. Unanswered questions have no item: FHIR has no "unknown".
    """
    when = (authored or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{QUESTIONNAIRE_URL}|{tool_version()}",
        "status": "completed",
        "authored": when,
        "item": [{"linkId": question.id, "text": question.text,
                  "answer": _answers(question, answers[question.id])}
                 for question in kb.questions if question.id in answers],
    }
