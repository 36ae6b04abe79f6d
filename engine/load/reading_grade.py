"""Reading grade: how plain every reader-facing text is, measured against the project's bar.

Why measure at all: people use this tool when worried, often tired or unwell, and often as parents
or carers. NHS content aims at a reading age of about 9; the clinical brief sets our bar as a
Flesch-Kincaid grade of at most 6 on average over texts of 8 words or more, none such above 7,
and no sentence over 25 words. A bar that only reviewers remember drifts, so the suite measures it
(tests/engine/load/test_reading_grade.py) and `muscle-triage check` shows the hardest texts with
their file and line, where authors work.

The grade comes from textstat 0.7.3, which counts syllables with pyphen's bundled dictionaries and
so never reaches the network (later textstat releases fetch a pronunciation dictionary at run
time). The texts come from the wording lint's ``reader_texts``, so the two checks see the same
texts, every audience variant included.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from engine.load.wording_lint import Text, reader_texts
from engine.model import KnowledgeBase

#: The bar (clinical brief section 4).
MEAN_GRADE_BAR = 6.0
MAX_GRADE_BAR = 7.0
MAX_SENTENCE_WORDS = 25
#: Shorter texts (option labels, titles) are not graded: the formula is meaningless on a few
#: words. Their sentences still count towards the sentence-length bar.
MIN_WORDS_GRADED = 8

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")


@dataclass(frozen=True)
class GradedText:
    """One reader text with its measures; ``grade`` is None when it is too short to grade."""

    text: Text
    words: int
    grade: float | None
    longest_sentence: int

    @property
    def place(self) -> str:
        return self.place_in("")

    def place_in(self, root: str) -> str:
        """FILE:LINE: SUBJECT, the file named within the knowledge base directory ``root`` (an
        installed copy's directory is deep in site-packages, which helps nobody find the text)."""
        path = self.text.path
        if root and path.startswith(root.rstrip("/") + "/"):
            path = path[len(root.rstrip("/")) + 1:]
        where = f"{path}:{self.text.line}" if self.text.line else path
        return f"{where}: {self.text.subject}"


@dataclass(frozen=True)
class GradeSummary:
    """The figures over a knowledge base, and what breaks the bar."""

    graded: tuple[GradedText, ...]

    @property
    def counted(self) -> tuple[GradedText, ...]:
        return tuple(item for item in self.graded if item.grade is not None)

    @property
    def mean(self) -> float:
        grades = [item.grade for item in self.counted if item.grade is not None]
        return sum(grades) / len(grades) if grades else 0.0

    @property
    def above_max(self) -> tuple[GradedText, ...]:
        return tuple(item for item in self.counted
                     if item.grade is not None and item.grade > MAX_GRADE_BAR)

    @property
    def long_sentences(self) -> tuple[GradedText, ...]:
        return tuple(item for item in self.graded if item.longest_sentence > MAX_SENTENCE_WORDS)

    def hardest(self, count: int = 5) -> list[GradedText]:
        return sorted(self.counted, key=lambda item: -(item.grade or 0.0))[:count]

    def by_kind(self) -> dict[str, tuple[float, int]]:
        """Mean grade and number of graded texts for each kind (question, option, rule...)."""
        kinds: dict[str, list[float]] = {}
        for item in self.counted:
            if item.grade is not None:
                kinds.setdefault(item.text.where, []).append(item.grade)
        return {kind: (sum(grades) / len(grades), len(grades)) for kind, grades in kinds.items()}

    @property
    def within_bar(self) -> bool:
        return (self.mean <= MEAN_GRADE_BAR and not self.above_max
                and not self.long_sentences)


@cache
def _textstat() -> tuple[Callable[[str], float], Callable[[str], int]]:
    """textstat's grade and word count, imported on first use (only `check` and tests need it).

    textstat 0.7.3 imports setuptools' pkg_resources, which warns that it is deprecated; the
    warning is about textstat's packaging, not about anything an author can fix, so it is hushed.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import textstat  # type: ignore[import-untyped]
    return textstat.flesch_kincaid_grade, textstat.lexicon_count


def sentences(text: str) -> list[str]:
    """A text split into sentences at ., ! or ? followed by space (colons do not end one)."""
    return [part for part in _SENTENCE_END.split(" ".join(text.split())) if part]


def grade_text(text: str) -> tuple[int, float | None, int]:
    """(words, grade or None when under MIN_WORDS_GRADED words, words in the longest sentence)."""
    grade, count_words = _textstat()
    words = count_words(text)
    longest = max((count_words(sentence) for sentence in sentences(text)), default=0)
    return words, (float(grade(text)) if words >= MIN_WORDS_GRADED else None), longest


def grade_texts(texts: Iterable[Text]) -> GradeSummary:
    graded = []
    for item in texts:
        words, grade, longest = grade_text(item.text)
        graded.append(GradedText(item, words, grade, longest))
    return GradeSummary(tuple(graded))


def grade_knowledge_base(kb: KnowledgeBase) -> GradeSummary:
    """Every reader-facing text of a knowledge base, graded."""
    return grade_texts(reader_texts(kb))


def summary_lines(summary: GradeSummary, hardest: int = 5, root: str = "") -> list[str]:
    """What `check` prints: the figures against the bar, then the hardest texts with file:line
    (files named within the knowledge base directory ``root``, when given)."""
    counted = summary.counted
    lines = [f"Reading grade (Flesch-Kincaid): mean {summary.mean:.1f} over {len(counted)} texts "
             f"of {MIN_WORDS_GRADED}+ words (bar {MEAN_GRADE_BAR:g}); "
             f"{len(summary.above_max)} above {MAX_GRADE_BAR:g}; "
             f"{len(summary.long_sentences)} with a sentence over {MAX_SENTENCE_WORDS} words"]
    for item in summary.hardest(hardest):
        lines.append(f"  grade {item.grade:4.1f}  {item.place_in(root)}: "
                     f"{_opening(item.text.text)}")
    for item in summary.long_sentences:
        lines.append(f"  {item.longest_sentence} words in a sentence  {item.place_in(root)}: "
                     f"{_opening(item.text.text)}")
    return lines


def _opening(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
