"""The terminal result: what reaches the screen from a knowledge base's texts."""

from __future__ import annotations


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
