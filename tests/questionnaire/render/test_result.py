"""The result as text: what it promises matches what it shows."""

from __future__ import annotations

import io

from rich.console import Console

from engine.model import AnswerValue, KnowledgeBase
from engine.run.assess import assess
from questionnaire.render.result import render_assessment


def _text(kb: KnowledgeBase, answers: dict[str, AnswerValue]) -> str:
    out = io.StringIO()
    render_assessment(kb, assess(kb, answers), Console(file=out, width=100, no_color=True))
    return " ".join(out.getvalue().split())


def test_a_routine_result_mentions_reading_only_when_it_shows_some(kb: KnowledgeBase) -> None:
    routine = kb.level(kb.default_level)
    assert routine.with_reading and routine.with_reading not in routine.advice
    calm = _text(kb, {})
    assert assess(kb, {}).reading == () and "Reading" not in calm
    assert routine.advice in calm and routine.with_reading not in calm
    disuse: dict[str, AnswerValue] = {"weaker": "yes", "inactivity": ("cast",),
                                      "onset": "over_weeks"}
    result = assess(kb, disuse)
    assert result.level.id == routine.id and result.reading
    shown = _text(kb, disuse)
    assert f"{routine.advice} {routine.with_reading}" in shown and "Reading" in shown
