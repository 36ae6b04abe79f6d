"""Wrapped, lightly styled lines for the question phase, written without rich.

The questions need little: bold, dim and italic words wrapped to the terminal, a two-space
indent, and one framed welcome box. Importing rich and drawing its first panel took about 65 ms,
a quarter of the time before the first question appeared (issue 7), so this module draws those
few things itself and rich is loaded only when the result is drawn. Widths come from
prompt_toolkit, which questionary has already loaded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from itertools import groupby
from typing import TextIO

from prompt_toolkit.utils import get_cwidth

#: A run of text and its style: space-separated words among "bold", "dim", "italic", or "".
Span = tuple[str, str]

_SGR = {"bold": "1", "dim": "2", "italic": "3"}
_ROUND_BOX = "╭─╮│╰╯"
_ASCII_BOX = "+-+|++"
DEFAULT_WIDTH = 80


def terminal_width(stream: TextIO, environ: dict[str, str]) -> int:
    """Columns to wrap to: COLUMNS when set (rich honours it too), else the terminal's."""
    columns = environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(stream.fileno()).columns or DEFAULT_WIDTH
    except (AttributeError, ValueError, OSError):  # not a real terminal (tests, StringIO)
        return DEFAULT_WIDTH


def wrap(spans: Sequence[Span], width: int) -> list[list[Span]]:
    """Greedy word wrap of styled text; a newline in a text starts a new line.

    Spaces are kept as written (an indent, the two spaces between "1) Yes  2) No"), except where
    a line is broken, and spans are joined by one space. A word longer than the width gets a line
    of its own and is left to the terminal, as splitting a word would change what it says.
    """
    lines: list[list[Span]] = [[]]
    used = 0
    for number, (text, style) in enumerate(spans):
        for index, part in enumerate(text.split("\n")):
            if index:
                lines.append([])
                used = 0
            spaces = 1 if number and not index and lines[-1] else 0
            for position, word in enumerate(part.split(" ")):
                spaces += 1 if position else 0
                if not word:
                    continue
                size = get_cwidth(word)
                if used and used + spaces + size > width:
                    lines.append([])
                    used = spaces = 0
                if spaces:
                    lines[-1].append((" " * spaces, style))
                    used += spaces
                lines[-1].append((word, style))
                used += size
                spaces = 0
    return lines


class StyledWriter:
    """Writes wrapped lines to one stream; escape codes only when ``styles`` is on."""

    def __init__(self, stream: TextIO, width: int, styles: bool) -> None:
        self.stream = stream
        self.width = max(width, 20)
        self.styles = styles
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            _ROUND_BOX.encode(encoding)
            self.frame = _ROUND_BOX
        except (UnicodeEncodeError, LookupError):
            self.frame = _ASCII_BOX

    def _styled(self, spans: Sequence[Span]) -> str:
        if not self.styles:
            return "".join(text for text, _ in spans)
        out = []
        for style, group in groupby(spans, key=lambda span: span[1]):
            text = "".join(text for text, _ in group)
            codes = ";".join(_SGR[name] for name in style.split() if name in _SGR)
            out.append(f"\x1b[{codes}m{text}\x1b[0m" if codes and text.strip() else text)
        return "".join(out)

    def blank(self) -> None:
        self.stream.write("\n")

    def line(self, *spans: Span, indent: int = 0) -> None:
        """Print text wrapped to the width, every line indented by ``indent`` spaces."""
        for row in wrap(spans, self.width - indent):
            self.stream.write(" " * indent + self._styled(row) + "\n")

    def box(self, title: str, spans: Sequence[Span], max_width: int = 88) -> None:
        """Text in a frame with a title on its top edge, one blank line and two spaces inside."""
        top_left, across, top_right, side, bottom_left, bottom_right = self.frame
        inner = min(self.width, max_width) - 2
        heading = f"{across} {title} "
        self.stream.write(top_left + heading + across * max(inner - len(heading), 0)
                          + top_right + "\n")
        rows = [[], *wrap(spans, inner - 4), []]
        for row in rows:
            size = sum(get_cwidth(text) for text, _ in row)
            padding = " " * max(inner - 4 - size, 0)
            self.stream.write(f"{side}  {self._styled(row)}{padding}  {side}\n")
        self.stream.write(bottom_left + across * inner + bottom_right + "\n")
