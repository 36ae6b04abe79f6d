"""Wrapped, lightly styled lines for the question phase, written without rich.

The questions need little: bold, dim and italic words wrapped to the terminal, a two-space
indent, and one framed welcome box. Importing rich and drawing its first panel took about 65 ms,
a quarter of the time before the first question appeared (issue 7), so this module draws those
few things itself and rich is loaded only when the result is drawn.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Sequence
from itertools import groupby
from typing import TextIO

#: A run of text and its style: space-separated words among "bold", "dim", "italic", or "".
Span = tuple[str, str]

_SGR = {"bold": "1", "dim": "2", "italic": "3"}
_ROUND_BOX = "╭─╮│╰╯"
_ASCII_BOX = "+-+|++"
DEFAULT_WIDTH = 80
#: Narrower than this, a frame has no room for its text: the terminal wraps what overflows.
MIN_WIDTH = 10


def text_width(text: str) -> int:
    """Columns a text takes on a terminal: 2 for a wide (East Asian) character, 0 for a
    combining mark or an invisible format character, 1 for the rest.

    Why not a library: prompt_toolkit's ``get_cwidth`` imported prompt_toolkit.application,
    about 110 ms, in ``--plain`` (the mode screen-reader users rely on, which never draws a
    prompt_toolkit screen), and ``wcwidth`` alone took about 19 ms (``python -X importtime``,
    this project's machine). ``unicodedata`` is built in and answers the same for the text a
    question wraps (letters, punctuation, CJK, emoji presentation characters); grapheme
    clusters such as emoji joined by a zero-width joiner count each visible part.
    """
    width = 0
    for char in text:
        if char.isascii():
            width += char.isprintable()
        elif unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf", "Cc"):
            continue
        else:
            width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def terminal_width(stream: TextIO, environ: dict[str, str]) -> int:
    """Columns to wrap to: COLUMNS when set (rich honours it too), else the terminal's."""
    columns = environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(stream.fileno()).columns or DEFAULT_WIDTH
    except (AttributeError, ValueError, OSError):  # not a real terminal (tests, StringIO)
        return DEFAULT_WIDTH


def _fold(word: str, width: int) -> list[str]:
    """A word as pieces of at most ``width`` columns: a long path or address still fits."""
    if text_width(word) <= width:
        return [word]
    pieces, piece, used = [], "", 0
    for char in word:
        size = text_width(char)
        if piece and used + size > width:
            pieces.append(piece)
            piece, used = "", 0
        piece += char
        used += size
    return [*pieces, piece]


def wrap(spans: Sequence[Span], width: int) -> list[list[Span]]:
    """Greedy word wrap of styled text; a newline in a text starts a new line.

    Spans are joined as written, so a bold word can be followed by a plain comma. Spaces are
    kept (an indent, the two spaces in "1) Yes  2) No") except where a line is broken, and no
    line breaks where two spans touch without a space. A word wider than a whole line is cut
    into pieces, as rich does.
    """
    width = max(width, 1)
    lines: list[list[Span]] = [[]]
    used = spaces = 0
    for text, style in spans:
        for index, part in enumerate(text.split("\n")):
            if index:
                lines.append([])
                used = spaces = 0
            for position, word in enumerate(part.split(" ")):
                spaces += 1 if position else 0
                if not word:
                    continue
                glued = bool(used) and not spaces
                for piece in _fold(word, width):
                    size = text_width(piece)
                    if used and not glued and used + spaces + size > width:
                        lines.append([])
                        used = spaces = 0
                    if spaces:
                        lines[-1].append((" " * spaces, style))
                        used += spaces
                    lines[-1].append((piece, style))
                    used += size
                    spaces, glued = 0, False
    return lines


class StyledWriter:
    """Writes wrapped lines to one stream; escape codes only when ``styles`` is on.

    ``width`` is a number of columns, or a function asked before each print, so a terminal
    resized between questions is wrapped to its new width.
    """

    def __init__(self, stream: TextIO, width: int | Callable[[], int], styles: bool) -> None:
        self.stream = stream
        self._width = width
        self.styles = styles
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            _ROUND_BOX.encode(encoding)
            self.frame = _ROUND_BOX
        except (UnicodeEncodeError, LookupError):
            self.frame = _ASCII_BOX

    @property
    def width(self) -> int:
        columns = self._width() if callable(self._width) else self._width
        return max(columns, MIN_WIDTH)

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
        top_left, across, top_right, side, bottom_left, bottom_right = tuple(self.frame)
        inner = min(self.width, max_width) - 2
        heading = f"{across} {title} "[:inner]  # a very narrow terminal shortens the title
        self.stream.write(top_left + heading + across * (inner - len(heading)) + top_right
                          + "\n")
        rows = [[], *wrap(spans, inner - 4), []]
        for row in rows:
            size = sum(text_width(text) for text, _ in row)
            padding = " " * max(inner - 4 - size, 0)
            self.stream.write(f"{side}  {self._styled(row)}{padding}  {side}\n")
        self.stream.write(bottom_left + across * inner + bottom_right + "\n")
