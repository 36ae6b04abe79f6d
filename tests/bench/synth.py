"""Synthetic knowledge bases for the benchmark and the differential tests.

A generated knowledge base is ordinary YAML that passes `muscle-triage check`: questions of every
kind, and rules of 2-4 conditions mixing every answer operator, facts derived by earlier rules
(so rules chain) and ``not`` over both answers and facts, with the odd ``any``. Facts are only
ever read from earlier rules, so there is never a cycle. The content is meaningless on purpose:
it exercises the mechanism at sizes the shipped knowledge base does not reach.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.model import TEXT_NAMES, AnswerValue, KnowledgeBase

KINDS = ("yes_no", "one_of", "several_of")
YES_NO = ("yes", "no", "unsure")
OPTIONS = ("a", "b", "c", "d")
LEVELS = ("high", "medium", "low")


@dataclass(frozen=True)
class SynthQuestion:
    id: str
    kind: str

    @property
    def values(self) -> tuple[str, ...]:
        return YES_NO if self.kind == "yes_no" else OPTIONS


def question_count(rules: int) -> int:
    """Enough questions that every one is read, few enough that rules share answer tests."""
    return max(20, rules // 5)


def _questions(count: int) -> list[SynthQuestion]:
    return [SynthQuestion(f"q{i}", KINDS[i % 3]) for i in range(count)]


def _answer_test(rng: random.Random, question: SynthQuestion) -> dict[str, Any]:
    values = list(question.values)
    if question.kind == "several_of":
        if rng.random() < 0.5:
            return {"answer": question.id, "includes": rng.choice(values)}
        return {"answer": question.id, "includes_any": sorted(rng.sample(values, 2))}
    if rng.random() < 0.5:
        return {"answer": question.id, "is": rng.choice(values)}
    return {"answer": question.id, "in": sorted(rng.sample(values, 2))}


def _rules(rng: random.Random, count: int, questions: list[SynthQuestion]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    facts: list[str] = []  # derived by rules generated so far
    for index in range(count):
        parts: list[dict[str, Any]] = []
        # The first condition walks the questions in turn, so every question is read.
        parts.append(_answer_test(rng, questions[index % len(questions)]))
        for _ in range(rng.randint(1, 3)):
            roll = rng.random()
            if facts and roll < 0.3:
                part: dict[str, Any] = {"fact": rng.choice(facts[-50:])}
            elif roll < 0.4:
                part = {"any": [_answer_test(rng, rng.choice(questions)) for _ in range(2)]}
            else:
                part = _answer_test(rng, rng.choice(questions))
            if rng.random() < 0.2:
                part = {"not": part}
            parts.append(part)
        then: dict[str, Any] = {}
        if index == 0:
            then["reading"] = ["topic"]
        if rng.random() < 0.35:
            fact = f"f{index}"
            then["derive"] = [fact]
            facts.append(fact)
        if not then or rng.random() < 0.5:
            then["level"] = rng.choice(LEVELS)
        rules.append({"id": f"r{index}", "title": f"Rule {index}", "when": {"all": parts},
                      "then": then, "explanation": "Generated.", "sources": ["bench"]})
    return rules


def _document(schema: str, body: dict[str, Any]) -> str:
    """YAML text: JSON is YAML, and keeps the generator free of a YAML writer."""
    return f"# yaml-language-server: $schema=schemas/{schema}.schema.json\n{json.dumps(body)}\n"


def knowledge_base_files(rules: int, seed: int = 0) -> dict[str, str]:
    """File name -> text of a valid knowledge base with ``rules`` rules."""
    rng = random.Random(seed)
    questions = _questions(question_count(rules))
    question_docs = []
    for question in questions:
        doc: dict[str, Any] = {"id": question.id, "role": "symptom", "kind": question.kind,
                               "text": f"Question {question.id}?", "why": "Generated."}
        if question.kind != "yes_no":
            doc["options"] = [{"value": v, "label": v.upper()} for v in OPTIONS]
        question_docs.append(doc)
    levels = [{"id": level, "title": level.title(), "advice": "Generated."} for level in LEVELS]
    return {
        "levels.yaml": _document("levels", {"levels": levels, "default_level": "low",
                                            "notice": "Generated for the benchmark."}),
        "sources.yaml": _document("sources", {"sources": [
            {"id": "bench", "title": "Generated", "publisher": "benchmark"}]}),
        "questions.yaml": _document("questions", {"questions": question_docs}),
        "reading.yaml": _document("reading", {"reading": [
            {"id": "topic", "title": "Topic", "summary": "Generated.", "sources": ["bench"],
             "link": "https://example.org/"}]}),
        "texts.yaml": _document("texts", {"texts": dict.fromkeys(TEXT_NAMES, "Generated.")}),
        "bench.rules.yaml": _document("rules", {"rules": _rules(rng, rules, questions)}),
    }


def write_knowledge_base(directory: Path, rules: int, seed: int = 0) -> Path:
    """Write a generated knowledge base into ``directory`` (which must exist); return it."""
    for name, text in knowledge_base_files(rules, seed).items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def sample_answers(kb: KnowledgeBase, rng: random.Random, count: int = 15
                   ) -> dict[str, AnswerValue]:
    """``count`` answers to randomly chosen questions of any knowledge base (the shipped one too).

    Several-of answers are sorted tuples, possibly empty, like checked answers.
    """
    chosen = rng.sample(list(kb.questions), min(count, len(kb.questions)))
    answers: dict[str, AnswerValue] = {}
    for question in chosen:
        values = list(question.values)
        if question.kind == "several_of":
            answers[question.id] = tuple(sorted(rng.sample(values, rng.randint(0, 2))))
        else:
            answers[question.id] = rng.choice(values)
    return answers
