"""Private, atomic, no-overwrite writes."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from questionnaire.files import WriteRefused, write_private

ROOT = Path(__file__).resolve().parent.parent


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


def test_a_ctrl_c_just_after_the_temporary_file_is_made_leaves_nothing(tmp_path: Path) -> None:
    """The narrowest window: the file exists on disk, its name not yet known to the caller.

    Run in a fresh process, whose main thread gets the signal (pytest-xdist runs tests in another
    thread, where signals cannot be held).
    """
    child = f"""
import os, signal, sys, tempfile
from pathlib import Path
from questionnaire.files import write_private

real_mkstemp = tempfile.mkstemp

def mkstemp_then_ctrl_c(*args, **kwargs):
    made = real_mkstemp(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGINT)  # Python raises it at once unless it is held
    return made

tempfile.mkstemp = mkstemp_then_ctrl_c
try:
    write_private(Path({str(tmp_path)!r}) / "answers.yaml", "weaker: yes\\n")
except KeyboardInterrupt:
    held = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set())
    sys.exit(3 if held else 130)
"""
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                          cwd=ROOT, timeout=60, check=False)
    assert done.returncode == 130, done.stderr
    assert list(tmp_path.iterdir()) == []
