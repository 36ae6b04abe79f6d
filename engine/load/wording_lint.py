"""Wording and sources lint: no reader-facing text may read as a diagnosis.

Every text a reader can see (questions, options, why, guidance, reading, level advice, notice,
texts.yaml, rule titles and explanations), in the wording of every audience, is checked against
a reviewed list of diagnostic phrasings, after the public guidance on symptom checkers and
clinical-brief section 5. A phrase that is fine in one reviewed place (the notice must say the
tool "does not diagnose") is allowed there only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import NamedTuple

from engine.model import TEXT_NAMES, KnowledgeBase
from engine.problems import Location, Problem


class Phrase(NamedTuple):
    """A refused way of speaking, and why it is refused."""

    pattern: str
    why: str
    #: Words the pattern cannot match without, at least one of them (casefolded). Checking these
    #: with ``in`` first spares a regex scan of most texts: scanning every text with every
    #: pattern cost more than a tenth of a start. tests/engine/load/test_wording_lint.py checks
    #: they are right.
    needs: tuple[str, ...]


#: Reviewed list: each phrase either names a condition as the reader's own or hints at likelihood.
DIAGNOSTIC_PHRASES: tuple[Phrase, ...] = (
    Phrase(r"\byou(?:'ve| have| may have| might have| could have| probably have)\b",
           "tells the reader what they have",
           ("you've", "you have", "you may have", "you might have", "you could have",
            "you probably have")),
    Phrase(r"\byou(?:'re| are) (?:suffering|likely|probably|at risk of)\b",
           "tells the reader what they have", ("you're", "you are")),
    Phrase(r"\byour (?:condition|disease|illness|diagnosis)\b",
           "assumes the reader has a condition",
           ("your condition", "your disease", "your illness", "your diagnosis")),
    Phrase(r"\blikel(?:y|ihood)\b", "hints at likelihood", ("likel",)),
    Phrase(r"\bprobabl[ey]\b|\bprobability\b", "hints at likelihood", ("probab",)),
    Phrase(r"\bconsistent with\b", "reads as a clinical impression", ("consistent",)),
    Phrase(r"\bsuggest(?:s|ive|ing)?\b", "reads as a clinical impression", ("suggest",)),
    Phrase(r"\bindicat(?:es|ive|ing)\b", "reads as a clinical impression", ("indicat",)),
    Phrase(r"\bpoints? to (?:a|an|the) (?:disease|condition|diagnosis)\b",
           "reads as a clinical impression", ("point to", "points to")),
    Phrase(r"\bdiagnos", "speaks of diagnosis", ("diagnos",)),
    Phrase(r"\d\s*%|\bper ?cent\b", "gives a percentage", ("%", "cent")),
    Phrase(r"\b(?:signs?|symptoms?) of (?:your|a|an)\b",
           "ties the reader's signs to a condition",
           ("sign of ", "signs of ", "symptom of ", "symptoms of ")),
    Phrase(r"\bchances?\b|\brisk score\b", "hints at likelihood", ("chance", "risk score")),
)

#: Reviewed exceptions: (where, phrase pattern, why it is fine there).
EXCEPTIONS: tuple[tuple[str, str, str], ...] = (
    ("notice", r"\bdiagnos", "the notice must say the tool does not diagnose"),
)


class Text(NamedTuple):
    """One reader-facing text and where it lives."""

    where: str
    path: str
    line: int | None
    subject: str
    text: str


def reader_texts(kb: KnowledgeBase) -> Iterator[Text]:
    """Every reader text, in every audience's wording (each distinct text once a subject)."""
    seen: set[tuple[str, str]] = set()
    for version in kb.family:
        for text in _texts_of(version):
            if (text.subject, text.text) not in seen:
                seen.add((text.subject, text.text))
                yield text


def _texts_of(kb: KnowledgeBase) -> Iterator[Text]:
    root = kb.root or "rules"
    levels_path = f"{root}/levels.yaml"
    yield Text("notice", levels_path, None, "notice", kb.notice)
    for level in kb.levels:
        yield Text("level", levels_path, None, f"level '{level.id}'", level.title)
        yield Text("level", levels_path, None, f"level '{level.id}'", level.advice)
        if level.with_reading is not None:
            yield Text("level", levels_path, None, f"level '{level.id}'", level.with_reading)
    for question in kb.questions:
        subject = f"question '{question.id}'"
        where = question.where
        yield Text("question", where.path, where.line, subject, question.text)
        yield Text("question", where.path, where.line, subject, question.why)
        for option in question.options:
            yield Text("option", where.path, where.line, subject, option.label)
    for rule in kb.rules:
        subject, where = f"rule '{rule.id}'", rule.where
        for text in (rule.title, rule.explanation, rule.then.guidance):
            if text is not None:
                yield Text("rule", where.path, where.line, subject, text)
    for item in kb.reading:
        subject, where = f"reading '{item.id}'", item.where
        yield Text("reading", where.path, where.line, subject, item.title)
        yield Text("reading", where.path, where.line, subject, item.summary)
    for name in TEXT_NAMES:
        where = kb.texts.where.get(name, Location(f"{root}/texts.yaml"))
        # "Not a diagnosis." heads the notice in the report, so it is read as part of the notice
        place = "notice" if name == "not_a_diagnosis" else "text"
        yield Text(place, where.path, where.line, f"text '{name}'", getattr(kb.texts, name))


def diagnostic_wording(text: str, where: str = "") -> list[str]:
    """The diagnostic phrasings in a text, each with why it is refused; [] when clean."""
    return list(_diagnostic_wording(text, where))


#: Where re.IGNORECASE matches an ASCII letter that str.casefold() keeps apart: dotless ı is i,
#: and dotted İ (casefolded to i and a combining dot) is i too.
#: tests/engine/load/test_wording_lint.py checks every
#: character, so the needed-words shortcut sees what the patterns would.
_AS_IGNORECASE_SEES_IT = str.maketrans({"ı": "i", "\u0307": None})


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """Compiled on first need: a clean knowledge base needs only a few of them."""
    return re.compile(pattern, re.IGNORECASE)


@lru_cache(maxsize=4096)
def _diagnostic_wording(text: str, where: str) -> tuple[str, ...]:
    """Cached: results repeat the same knowledge base texts over and over."""
    folded = text.casefold().translate(_AS_IGNORECASE_SEES_IT)
    found = []
    for phrase in DIAGNOSTIC_PHRASES:
        for word in phrase.needs:  # a loop, not any(): this runs thousands of times at start
            if word in folded:
                break
        else:
            continue
        for match in _compiled(phrase.pattern).finditer(text):
            if any(place == where and allowed == phrase.pattern
                   for place, allowed, _ in EXCEPTIONS):
                continue
            found.append(f"'{match.group()}' {phrase.why}")
    return tuple(found)


def wording_problems(kb: KnowledgeBase) -> list[Problem]:
    """Diagnostic wording, empty text, and missing sources, as problems for `check`."""
    problems = []
    for item in reader_texts(kb):
        if not item.text.strip():
            problems.append(Problem(item.path, item.line, item.subject, "empty reader text"))
        for finding in diagnostic_wording(item.text, item.where):
            problems.append(Problem(item.path, item.line, item.subject,
                                    f"wording: {finding}: rephrase as guidance or reading"))
    for rule in kb.rules:
        if not rule.sources:
            problems.append(Problem(rule.where.path, rule.where.line, f"rule '{rule.id}'",
                                    "cites no source"))
    for reading in kb.reading:
        if not reading.sources:
            problems.append(Problem(reading.where.path, reading.where.line,
                                    f"reading '{reading.id}'", "cites no source"))
    return problems
