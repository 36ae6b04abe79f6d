"""Turning what a person or a file says into checked answers.

Answers come from hand-written YAML or JSON, from the interactive questionnaire and from tests.
Whatever the source, each is checked against its question's options here, and a mistake names the
question and the values it allows. Unanswered questions are simply absent: unknown, not "no".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.conditions import evaluate
from engine.model import AnswerValue, KnowledgeBase, Question
from engine.validate import did_you_mean
from engine.yamlio import YamlError, parse_bytes, read_yaml


class AnswerError(Exception):
    """An answer that does not fit the question bank."""

    def __init__(self, message: str, question: str | None = None) -> None:
        self.question = question
        super().__init__(message)


def _allowed(question: Question) -> str:
    return ", ".join(question.values)


def _one_value(question: Question, raw: Any) -> str:
    if isinstance(raw, bool) and question.kind == "yes_no":
        return "yes" if raw else "no"
    if isinstance(raw, str):
        wanted = raw.strip().casefold()
        for option in question.options:
            if wanted in (option.value.casefold(), option.label.casefold()):
                return option.value
    shown = repr(raw) if not isinstance(raw, str) else f"'{raw}'"
    hint = did_you_mean(str(raw), question.values) if isinstance(raw, str) else ""
    raise AnswerError(f"question '{question.id}': {shown} is not an allowed answer{hint}; "
                      f"allowed: {_allowed(question)}", question.id)


def normalise_answer(question: Question, raw: Any) -> AnswerValue:
    """One raw answer as a checked value: an option value, or a sorted tuple for several-of."""
    if question.kind != "several_of":
        if isinstance(raw, (list, tuple)):
            raise AnswerError(f"question '{question.id}' takes one answer, not a list; "
                              f"allowed: {_allowed(question)}", question.id)
        return _one_value(question, raw)
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    return tuple(sorted({_one_value(question, item) for item in items}))


def normalise_answers(kb: KnowledgeBase, raw: Any) -> dict[str, AnswerValue]:
    """Check a whole mapping of question id -> raw answer; ``null`` means unanswered."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise AnswerError("answers must be a mapping of question id to answer, e.g. "
                          "'muscle_loss: yes'")
    answers: dict[str, AnswerValue] = {}
    known = [q.id for q in kb.questions]
    for key, value in raw.items():
        if not isinstance(key, str) or not kb.has_question(key):
            raise AnswerError(f"unknown question '{key}'{did_you_mean(str(key), known)}; "
                              "'muscle-triage questions' lists them", str(key))
        if value is not None:
            answers[key] = normalise_answer(kb.question(key), value)
    return answers


def applicable(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]
               ) -> tuple[dict[str, AnswerValue], tuple[str, ...]]:
    """Split answers into those whose question would be asked and those it would not.

    A question is asked when its ``ask_if`` holds on the answers to the questions before it;
    the questionnaire never asks the others, so an assessment sets their answers aside too, and
    a batch result is always one the questionnaire could give.
    """
    kept: dict[str, AnswerValue] = {}
    ignored: list[str] = []
    for question in kb.questions:
        if question.id not in answers:
            continue
        if question.ask_if is None or evaluate(question.ask_if, kept):
            kept[question.id] = answers[question.id]
        else:
            ignored.append(question.id)
    return kept, tuple(ignored)


def read_answers_file(path: str, stdin_bytes: bytes | None = None) -> Any:
    """Read an answers file (YAML or JSON; ``-`` is standard input) into raw data."""
    if path == "-":
        return parse_bytes(stdin_bytes or b"", "<stdin>")
    file = Path(path)
    if file.suffix.lower() == ".json":
        try:
            text = file.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise YamlError(path, None, f"cannot read: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise YamlError(path, None, "not valid UTF-8 text") from None
        try:
            return json.loads(text, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise YamlError(path, exc.lineno, f"not valid JSON: {exc.msg}") from None
        except ValueError as exc:
            raise YamlError(path, None, str(exc)) from None
    return read_yaml(file, path)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key '{key}'")
        result[key] = value
    return result
