"""The reading grade: what it measures, and the shipped knowledge base against the bar."""

from __future__ import annotations

from pathlib import Path

from engine.load.reading_grade import (
    MEAN_GRADE_BAR,
    grade_knowledge_base,
    grade_text,
    sentences,
    summary_lines,
)
from engine.model import KnowledgeBase
from tests.conftest import run_cli


def test_sentences_end_at_full_stops_not_at_colons() -> None:
    assert sentences("Call now: it cannot wait. Do not drive! Is it new?  Yes.") == [
        "Call now: it cannot wait.", "Do not drive!", "Is it new?", "Yes."]


def test_short_texts_are_not_graded_but_their_length_counts() -> None:
    words, grade, longest = grade_text("Over hours or days")
    assert (words, grade, longest) == (4, None, 4)


def test_long_words_and_long_sentences_raise_the_grade() -> None:
    plain = grade_text("Your muscles got weak. It came on fast. Get help now. Do not wait.")[1]
    dense = grade_text("Progressive neuromuscular deterioration necessitates comprehensive "
                       "multidisciplinary evaluation, particularly considering respiratory "
                       "involvement and swallowing difficulties.")[1]
    assert plain is not None and dense is not None and plain < 4 < 12 < dense


def test_every_reader_text_is_graded_with_its_place(kb: KnowledgeBase) -> None:
    summary = grade_knowledge_base(kb)
    kinds = {item.text.where for item in summary.graded}
    assert {"notice", "level", "question", "option", "rule", "reading"} <= kinds
    question = kb.questions[0]
    assert any(item.text.text == question.text and
               item.place.startswith(f"{question.where.path}:{question.where.line}")
               for item in summary.graded)


def test_check_reports_the_figures_and_the_hardest_texts(kb: KnowledgeBase) -> None:
    result = run_cli("check")
    assert result.code == 0
    lines = summary_lines(grade_knowledge_base(kb), root=kb.root)
    assert lines[0].startswith("Reading grade (Flesch-Kincaid): mean ")
    assert all(line in result.out for line in lines)
    hardest = grade_knowledge_base(kb).hardest(1)[0]
    # named within the knowledge base directory, with its line
    assert f"  {hardest.text.path.split('/')[-1]}:{hardest.text.line}: " in result.out


def test_shipped_reader_texts_meet_the_plain_language_bar(kb: KnowledgeBase) -> None:
    """Mean grade <= 6 over texts of 8+ words, none above 7, no sentence over 25 words."""
    summary = grade_knowledge_base(kb)
    hard = [f"{item.grade:.1f} {item.place}: {item.text.text}" for item in summary.above_max]
    long = [f"{item.longest_sentence} words {item.place}: {item.text.text}"
            for item in summary.long_sentences]
    assert summary.mean <= MEAN_GRADE_BAR, f"mean grade {summary.mean:.2f}"
    assert hard == [] and long == []
    assert len(summary.counted) > 200  # every audience's wording is graded, not a sample


def test_the_bar_fails_a_knowledge_base_that_breaks_it(rules_copy: Path) -> None:
    from engine.load.knowledge_base import load_knowledge_base
    from tests.conftest import replace_in

    replace_in(rules_copy / "questions.yaml",
               "Is there new numbness around your bottom or genitals?",
               "Is there a newly developed, persistent sensory disturbance affecting the perineal "
               "region, including the buttocks and genitalia, accompanied by urinary difficulty?")
    summary = grade_knowledge_base(load_knowledge_base(rules_copy))
    assert not summary.within_bar
    assert any("saddle_numbness" in item.place for item in summary.above_max)
