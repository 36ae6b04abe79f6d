"""Private, atomic, no-overwrite writes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from questionnaire.files import WriteRefused, write_private


def test_written_file_is_owner_only(tmp_path: Path) -> None:
    target = write_private(tmp_path / "answers.yaml", "weaker: yes\n")
    assert target.read_text() == "weaker: yes\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_existing_file_is_not_replaced_without_force(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("mine")
    with pytest.raises(WriteRefused, match="--force"):
        write_private(target, "new")
    assert target.read_text() == "mine"
    write_private(target, "new", force=True)
    assert target.read_text() == "new"


def test_no_temporary_file_is_left_when_writing_fails(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_replace(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("os.replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        write_private(tmp_path / "a.yaml", "x")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_directory_is_a_clear_refusal(tmp_path: Path) -> None:
    with pytest.raises(WriteRefused, match="cannot write"):
        write_private(tmp_path / "missing" / "a.yaml", "x")
