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


def test_a_link_is_drawn_as_a_style_so_markup_in_it_stays_text() -> None:
    """Even an address the loader would refuse shows as itself and links to itself only."""
    from rich.console import Console

    from questionnaire.render.result import _link

    hostile = "https://good.example/]x[/link][link=https://evil.example"
    drawn = _link(hostile)
    assert drawn.plain == hostile
    assert drawn.style.link == hostile and not drawn.spans  # type: ignore[union-attr]
    console = Console(width=200, record=True, color_system=None)
    console.print(drawn)
    assert console.export_text() == hostile + "\n"
