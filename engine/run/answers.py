"""Turning what a person or a file says into checked answers.

Answers come from hand-written YAML or JSON, from the interactive questionnaire and from tests.
Whatever the source, each is checked against its question's options here, and a mistake names the
question and the values it allows. Unanswered questions are simply absent: unknown, not "no".
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from engine.conditions import evaluate
from engine.load.crosscheck import did_you_mean
from engine.load.yaml_reader import (
    MarkedDict,
    YamlError,
    decode_text,
    parse_bytes,
    read_limited,
    read_yaml,
    refuse_unsafe_strings,
    refuse_unsafe_text,
)
from engine.model import AnswerValue, KnowledgeBase, Question
from engine.problems import Location, quote

NOT_A_MAPPING = "answers must be a mapping of question id to answer, e.g. 'weaker: yes'"


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
        if raw in question.values:  # as written by our own files and forms
            return raw
        wanted = raw.strip().casefold()
        for option in question.options:
            if wanted in (option.value.casefold(), option.label.casefold()):
                return option.value
    hint = did_you_mean(str(raw), question.values) if isinstance(raw, str) else ""
    raise AnswerError(f"question '{question.id}': {quote(raw)} is not an allowed answer{hint}; "
                      f"allowed: {_allowed(question)}", question.id)


def normalise_answer(question: Question, raw: Any) -> AnswerValue:
    """One raw answer as a checked value: an option value, or a sorted tuple for several-of.

    A several-of answer that ticks an answer going alone ("Not sure", "Does not apply", "None
    of these") beside others is refused: it contradicts itself, and a rule reading either half
    would see an answer the person did not mean. The prompts and the web form refuse it with the
    same words (``Question.combination_problem``), so a file cannot say what a person cannot.
    """
    if question.kind != "several_of":
        if isinstance(raw, (list, tuple)):
            raise AnswerError(f"question '{question.id}' takes one answer, not a list; "
                              f"allowed: {_allowed(question)}", question.id)
        return _one_value(question, raw)
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    value = tuple(sorted({_one_value(question, item) for item in items}))
    clash = question.combination_problem(value)
    if clash:
        raise AnswerError(f"question '{question.id}': {clash}", question.id)
    return value


def normalise_answers(kb: KnowledgeBase, raw: Any, source: str | None = None
                      ) -> dict[str, AnswerValue]:
    """Check a whole mapping of question id -> raw answer; ``null`` means unanswered.

    With ``source`` (the file as shown to people) and a mapping read from it, a refused answer
    is named with the file and the line of its key, as every other problem in a file is.
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise AnswerError(NOT_A_MAPPING)
    answers: dict[str, AnswerValue] = {}
    lines: Mapping[str, int] = getattr(raw, "key_lines", {})
    questions = kb.questions_by_id
    for key, value in raw.items():
        try:
            question = questions.get(key) if isinstance(key, str) else None
            if question is None:
                raise _not_a_question(kb, key)
            # an option value as our own files and forms write it has nothing to change: the
            # 35th web question page took 1.63 million instructions instead of 1.72 with this
            if type(value) is str and question.kind != "several_of" and value in question.values:
                answers[key] = value
            elif value is not None:
                answers[key] = normalise_answer(question, value)
        except AnswerError as exc:
            if source is None:
                raise
            where = Location(source, lines.get(key) if isinstance(key, str) else None)
            raise AnswerError(f"{where}: {exc}", exc.question) from None
    return answers


def _not_a_question(kb: KnowledgeBase, key: object) -> AnswerError:
    """The refusal of an answer to an id that is no question: one replaced (a question id is
    never also a replaced one: engine/load/crosscheck.py), or unknown."""
    if isinstance(key, str) and (replacement := kb.replacement_for(key)) is not None:
        return AnswerError(f"question {quote(key, ascii_only=True)} was replaced by "
                           f"'{replacement.id}', which asks something different, so its "
                           f"answer is not carried over; answer '{replacement.id}' instead", key)
    return AnswerError(f"unknown question {quote(key, ascii_only=True)}"
                       f"{did_you_mean(str(key), [q.id for q in kb.questions])}; "
                       "'muscle-triage questions' lists them", str(key))


def answers_from_file(kb: KnowledgeBase, path: str, stdin_bytes: bytes | None = None
                      ) -> dict[str, AnswerValue]:
    """The checked answers of an answers file (``-`` is standard input), each refusal with the
    file and line: what ``assess``, ``explain`` and ``graph`` read with ``--answers``."""
    return normalise_answers(kb, read_answers_file(path, stdin_bytes),
                             "<stdin>" if path == "-" else path)


#: A question's ``ask_if`` as a test of (answers, facts); ``ask_if`` reads answers only, so the
#: facts handed to it are always empty.
AskIfTest = Callable[[Mapping[str, AnswerValue], set[str]], bool]
#: Each question id in asking order, with its ask_if test, or None: always asked.
AskPlan = Sequence[tuple[str, AskIfTest | None]]

_NO_FACTS: set[str] = set()  # never written to


def ask_plan(kb: KnowledgeBase) -> AskPlan:
    """The questions' ask_if as plain evaluation (the reference evaluator compiles its own)."""
    return [(q.id, partial(evaluate, q.ask_if) if q.ask_if else None) for q in kb.questions]


def split_answers(plan: AskPlan, answers: Mapping[str, AnswerValue]
                  ) -> tuple[dict[str, AnswerValue], tuple[str, ...]]:
    """Split answers into those whose question would be asked and those it would not.

    A question is asked when it has no ``ask_if`` or its ``ask_if`` holds on the answers kept to
    the questions before it; the questionnaire never asks the others, so an assessment sets their
    answers aside too, and a batch result is always one the questionnaire could give. The experta
    path and the reference evaluator both split answers here, so they cannot disagree on which
    answers count; the loop is kept bare because the safety sampler runs it on every answer set.
    """
    kept: dict[str, AnswerValue] = {}
    ignored: list[str] = []
    for question_id, asked in plan:
        if question_id in answers:
            if asked is None or asked(kept, _NO_FACTS):
                kept[question_id] = answers[question_id]
            else:
                ignored.append(question_id)
    return kept, tuple(ignored)


def applicable(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]
               ) -> tuple[dict[str, AnswerValue], tuple[str, ...]]:
    """``split_answers`` with the knowledge base's ask_if evaluated plainly."""
    return split_answers(ask_plan(kb), answers)


def read_answers_file(path: str, stdin_bytes: bytes | None = None) -> Any:
    """Read an answers file (YAML or JSON; ``-`` is standard input) into raw data.

    Anything but a mapping is refused here, where the file's name is known; so is an empty file
    (or one of comments alone, or ``null``), which is far more often a mistake (a truncated
    write, the wrong file) than a wish to be assessed on nothing, and whose result would read as
    reassurance. ``{}`` says "no answers" explicitly.
    """
    if path == "":
        raise YamlError("--answers", None, "the file name is empty")
    shown = "<stdin>" if path == "-" else path
    if path == "-":
        data = parse_bytes(stdin_bytes or b"", shown)
    elif Path(path).suffix.lower() == ".json":
        text = decode_text(read_limited(Path(path), path), path)
        data = _with_key_lines(_parse_json(text, path), text)
    else:
        data = read_yaml(Path(path), path)
    if data is None:
        raise YamlError(shown, None, "holds no answers (it is empty); to be assessed on no "
                        "answers at all, write {}")
    if not isinstance(data, Mapping):
        raise YamlError(shown, getattr(data, "line", 1), NOT_A_MAPPING)
    return data


def _parse_json(text: str, path: str) -> Any:
    """JSON with the same care as YAML: duplicate keys refused, each error with its line."""
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise _DuplicateKey(key)
            result[key] = value
        return result

    refuse_unsafe_text(text, path)
    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise YamlError(path, exc.lineno, f"not valid JSON: {exc.msg}") from None
    except _DuplicateKey as exc:
        first, again = [*_key_lines(text, exc.key), None, None][:2]
        where = f" (first on line {first})" if first and again else ""
        raise YamlError(path, again, f"duplicate key {quote(exc.key)}{where}") from None
    except RecursionError:
        raise YamlError(path, None, "nested too deeply") from None
    except ValueError as exc:  # e.g. a number with thousands of digits
        raise YamlError(path, None, f"not valid JSON: {exc}") from None
    if "\\" in text:  # only an escape can have made an unsafe character
        refuse_unsafe_strings(data, path, lambda char: _escape_line(text, char))
    return data


def _with_key_lines(data: Any, text: str) -> Any:
    """A JSON mapping marked with the line of each top-level key, as YAML's are, so a refused
    answer can be named by line (an answers file is one flat mapping of question ids)."""
    if not isinstance(data, dict):
        return data
    marked = MarkedDict(data)
    marked.line = 1
    marked.key_lines = {}
    for found in _JSON_KEY.finditer(text):  # one pass: a large file costs no more than reading
        with contextlib.suppress(ValueError):
            key = json.loads(found.group(1))
            if key in data and key not in marked.key_lines:
                marked.key_lines[key] = text.count("\n", 0, found.start()) + 1
    return marked


def _escape_line(text: str, char: str) -> int | None:
    """The line of the first JSON string whose escapes (``\\u001b``, ``\\r``...) make ``char``."""
    for found in _JSON_STRING.finditer(text):
        with contextlib.suppress(ValueError):
            if char in json.loads(found.group()):
                return text.count("\n", 0, found.start()) + 1
    return None


#: A JSON string (it cannot hold a raw line break); as a key when a colon follows.
_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_JSON_KEY = re.compile(f"({_JSON_STRING.pattern})\\s*:")


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def _key_lines(text: str, key: str) -> list[int]:
    """Lines where ``key`` is written as a key, however it is spelt (``"a"`` or ``"\\u0061"``)."""
    lines = []
    for found in _JSON_KEY.finditer(text):
        with contextlib.suppress(ValueError):
            if json.loads(found.group(1)) == key:
                lines.append(text.count("\n", 0, found.start()) + 1)
    return lines

