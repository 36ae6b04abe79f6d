"""The strict YAML reader: what it refuses and the lines it reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.load.yaml_reader import (
    MAX_BYTES,
    YamlError,
    line_of,
    parse_bytes,
    parse_yaml,
    read_yaml,
)


def test_yes_and_no_stay_strings_but_true_is_a_boolean() -> None:
    data = parse_yaml("a: yes\nb: no\nc: on\nd: true\ne: False\n", "f.yaml")
    assert data == {"a": "yes", "b": "no", "c": "on", "d": True, "e": False}


def test_dates_stay_text() -> None:
    assert parse_yaml("when: 2024-01-02\n", "f.yaml") == {"when": "2024-01-02"}


@pytest.mark.parametrize(("text", "line", "words"), [
    ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (first on line 1)"),
    ("a: 1\nb: &x [1, 2]\nc: *x\n", 2, "anchors (&name) are not allowed"),
    ("a: 1\nweaker: &x yes\n", 2, "anchors (&name) are not allowed"),
    ("a: 1\nb: {<<: {weaker: yes}}\n", 2, "merge keys (<<) are not allowed"),
    ("a: !!python/object/apply:os.system [echo hi]\n", 1, "is not allowed"),
    ("a: [1, 2\n", 2, ""),
    ("1: x\n", 1, "keys must be text"),
    ("a: b\x07\n", 1, "U+0007"),
    ("a: 1\nb: \"You hax\\e[Dve ALS\"\n", 2, "U+001B (ESCAPE) is not allowed"),
    ("a: 1\nb: [ok, \"\\x1b]0;title\\a\"]\n", 2, "U+001B"),
    ("a: 1\nb:\n  - ok\n  - \"\\u001b]52;c;aGk=\\a\"\n", 4, "U+001B"),
    ("a: 1\n\"k\\u202e\": 1\n", 2, "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("a: 1\nb: \"x\\u2066y\"\n", 2, "U+2066"),
    ("a: 1\nb: \"not\\u200bice\"\n", 2, "U+200B (ZERO WIDTH SPACE)"),
    ("a: 1\nb: \"over\\rwrite\"\n", 2, "U+000D"),
    ("a: 1\nb: \"\\x9b2J\"\n", 2, "U+009B"),
    ("a: 1\nb: \"\\ud800\"\n", 2, "U+D800"),
    ("a: 1\nb: x\u202ey\n", 2, "U+202E"),
    ("# a document that is one text\n\"\\b\"\n", 2, "U+0008 (BACKSPACE)"),
    ("a:\n  b: 1\n c: 2\n", 3, ""),
])
def test_bad_yaml_names_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(YamlError) as caught:
        parse_yaml(text, "f.yaml")
    assert caught.value.line == line
    assert words in caught.value.message
    assert str(caught.value).startswith(f"f.yaml:{line}: ")


def test_python_tag_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    with pytest.raises(YamlError):
        parse_yaml(f"a: !!python/object/apply:os.system ['touch {marker}']\n", "f.yaml")
    assert not marker.exists()


def test_deep_nesting_is_refused_quickly() -> None:
    with pytest.raises(YamlError, match="nested more than"):
        parse_yaml("[" * 5000 + "]" * 5000, "f.yaml")


def test_invalid_utf8_names_its_line() -> None:
    with pytest.raises(YamlError) as caught:
        parse_bytes(b"a: 1\nb: \xff\xfe\n", "f.yaml")
    assert caught.value.line == 2
    assert "UTF-8" in caught.value.message


def test_oversized_file_is_refused() -> None:
    with pytest.raises(YamlError, match="larger than"):
        parse_bytes(b"#" * (MAX_BYTES + 1), "f.yaml")


def test_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(YamlError, match="cannot read"):
        read_yaml(tmp_path / "absent.yaml")


def test_line_of_finds_nested_keys_and_items() -> None:
    data = parse_yaml("top:\n  - id: a\n    when:\n      answer: q\n  - id: b\n", "f.yaml")
    assert line_of(data, ("top", 0, "when", "answer")) == 4
    assert line_of(data, ("top", 1)) == 5
    assert line_of(data, ("top", 7)) == 2  # past the end: the line of the list itself


def test_the_unsafe_list_holds_every_control_and_format_character() -> None:
    """Checked against this Python's Unicode data: a newer one with new format characters fails."""
    import sys
    import unicodedata

    from engine.load.yaml_reader import unsafe_character

    missed = [f"U+{code:04X}" for code in range(sys.maxunicode + 1)
              if unicodedata.category(chr(code)) in ("Cc", "Cf", "Cs", "Zl", "Zp")
              and chr(code) not in "\t\n" and unsafe_character(chr(code)) is None]
    assert missed == []
    assert unsafe_character("Café — naïve “quoted” text, tab\tand\nnewline") is None


def test_windows_line_endings_still_load() -> None:
    assert parse_yaml("a: 1\r\nb: >-\r\n  two\r\n  lines\r\n", "f.yaml") == {"a": 1,
                                                                          "b": "two lines"}


def test_a_file_name_with_a_line_break_stays_one_line() -> None:
    with pytest.raises(YamlError) as caught:
        parse_yaml("a: [\n", "evil\nFAKE.yaml:1: all good\x1b[2J")
    assert "\n" not in str(caught.value) and "\x1b" not in str(caught.value)
    assert str(caught.value).startswith("evil\\nFAKE.yaml:1: all good\\x1b[2J:")


@pytest.mark.parametrize("kind", ["fifo", "dangling", "directory", "device"])
def test_a_file_that_is_not_a_regular_file_is_refused_not_waited_on(
        tmp_path: Path, kind: str) -> None:
    import os

    path = tmp_path / "x.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dangling":
        path.symlink_to(tmp_path / "gone.yaml")
    elif kind == "directory":
        path.mkdir()
    else:
        path = Path("/dev/zero")
    with pytest.raises(YamlError) as caught:
        read_yaml(path, "x.yaml")
    words = {"fifo": "not a regular file", "dangling": "symbolic link to",
             "directory": "is a directory", "device": "not a regular file"}[kind]
    assert words in caught.value.message
