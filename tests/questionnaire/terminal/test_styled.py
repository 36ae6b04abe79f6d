"""The question phase's own text drawing (questionnaire/terminal/styled.py): wrapping, styles, the
frame."""

from __future__ import annotations

import io
import re
from itertools import pairwise

from questionnaire.terminal.styled import StyledWriter, terminal_width, text_width, wrap

ANSI = re.compile(r"\x1b\[[0-9;]*m")
WORDS = "Has any of these started suddenly, even if it has passed since the start of the week?"


def _plain(rows: list[list[tuple[str, str]]]) -> list[str]:
    return ["".join(text for text, _ in row) for row in rows]


def test_wrap_fills_lines_up_to_the_width_and_keeps_every_word_in_order() -> None:
    for width in (10, 23, 40, 200):
        lines = _plain(wrap([(WORDS, "")], width))
        assert all(len(line) <= width for line in lines), (width, lines)
        assert " ".join(lines).split() == WORDS.split()
        # greedy: the next line's first word would not have fitted on this one
        for line, following in pairwise(lines):
            assert len(line) + 1 + len(following.split()[0]) > width


def test_newlines_start_new_lines_and_a_blank_line_survives() -> None:
    assert _plain(wrap([("one two\n\nthree", "")], 80)) == ["one two", "", "three"]


def test_a_word_wider_than_a_line_is_cut_into_pieces_that_fit() -> None:
    assert _plain(wrap([("a " + "x" * 25 + " b", "")], 10)) == ["a", "x" * 10, "x" * 10,
                                                                "x" * 5 + " b"]
    assert _plain(wrap([("注意注意注意", "")], 5)) == ["注意", "注意", "注意"]  # two columns each


def test_columns_count_wide_characters_twice_and_accents_written_apart_not_at_all() -> None:
    assert text_width("naïve") == 5 == text_width("nai\u0308ve")  # ï, and i + combining diaeresis
    assert text_width("注意") == 4
    assert text_width("a\u200bb") == 2  # a zero-width space takes no column
    frame = io.StringIO()
    StyledWriter(frame, 20, styles=False).box("t", [("注意 cafe\u0301", "")])
    assert len({text_width(line) for line in frame.getvalue().splitlines()}) == 1  # even frame


def test_spans_join_as_written_and_never_break_where_they_touch() -> None:
    rows = wrap([("about ", ""), ("muscle wasting", "bold"), (", for education", "")], 21)
    assert _plain(rows) == ["about muscle wasting,", "for education"]
    assert (",", "") in rows[0] and ("wasting", "bold") in rows[0]


def test_styles_become_escape_codes_only_when_asked_for() -> None:
    styled, plain = io.StringIO(), io.StringIO()
    StyledWriter(styled, 80, styles=True).line(("Question 1 of 9", "dim"), (" Why?", "bold"))
    StyledWriter(plain, 80, styles=False).line(("Question 1 of 9", "dim"), (" Why?", "bold"))
    assert plain.getvalue() == "Question 1 of 9 Why?\n"
    assert "\x1b[2mQuestion 1 of 9\x1b[0m" in styled.getvalue()
    assert "\x1b[1m" in styled.getvalue()
    assert ANSI.sub("", styled.getvalue()) == plain.getvalue()


def test_indented_lines_stay_within_the_width() -> None:
    out = io.StringIO()
    StyledWriter(out, 30, styles=False).line(("Why we ask: ", "italic"), (WORDS, ""), indent=2)
    lines = out.getvalue().splitlines()
    assert len(lines) > 2
    assert all(line.startswith("  ") and len(line) <= 30 for line in lines)


def test_the_frame_is_closed_and_even_and_falls_back_to_ascii() -> None:
    for encoding, corner in (("utf-8", "╭"), ("ascii", "+")):
        raw = io.BytesIO()
        stream = io.TextIOWrapper(raw, encoding=encoding)
        StyledWriter(stream, 50, styles=False).box("title", [(WORDS * 2, "")])
        stream.flush()
        lines = raw.getvalue().decode(encoding).splitlines()
        assert lines[0].startswith(corner) and "title" in lines[0]
        assert {len(line) for line in lines} == {50}, lines
        side = "|" if corner == "+" else "│"
        assert all(line[0] == side and line[-1] == side for line in lines[1:-1])
        assert WORDS.split()[0] in lines[2]


def test_width_comes_from_columns_first_then_a_default() -> None:
    assert terminal_width(io.StringIO(), {"COLUMNS": "57"}) == 57
    assert terminal_width(io.StringIO(), {"COLUMNS": "wide"}) == 80
    assert terminal_width(io.StringIO(), {}) == 80


def test_spaces_are_kept_as_written_except_at_a_break() -> None:
    assert _plain(wrap([("  1) Yes  2) No  3) Not sure", "")], 80)) == [
        "  1) Yes  2) No  3) Not sure"]
    # broken between "No" and "3)": the two spaces there go, the indent of the first line stays
    assert _plain(wrap([("  1) Yes  2) No  3) Not sure", "")], 16)) == [
        "  1) Yes  2) No", "3) Not sure"]


def test_a_resized_terminal_is_wrapped_to_its_new_width() -> None:
    columns = [40]
    out = io.StringIO()
    writer = StyledWriter(out, lambda: columns[0], styles=False)
    writer.line((WORDS, ""))
    columns[0] = 25
    writer.line((WORDS, ""))
    first, second = out.getvalue().split("?\n")[:2]
    assert max(map(len, first.splitlines())) > 25
    assert max(map(len, second.splitlines())) <= 25


def test_a_very_narrow_frame_stays_closed_and_even() -> None:
    out = io.StringIO()
    StyledWriter(out, 12, styles=False).box("muscle-triage", [(WORDS, "")])
    lines = out.getvalue().splitlines()
    assert {len(line) for line in lines} == {12}, lines
