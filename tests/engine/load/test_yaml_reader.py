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
    ("a: &x [1, 2]\nb: *x\n", 2, "aliases"),
    ("a: !!python/object/apply:os.system [echo hi]\n", 1, "is not allowed"),
    ("a: [1, 2\n", 2, ""),
    ("1: x\n", 1, "keys must be text"),
    ("a: b\x07\n", 1, "control character"),
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
