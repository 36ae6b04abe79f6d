"""Private, atomic, no-overwrite writes."""

from __future__ import annotations

import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from questionnaire.files import WriteRefused, write_private
from tests.repo import ROOT


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


needs_held_signals = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"),
                                        reason="signals can be held only on POSIX")

#: A child process that writes one file while a Ctrl-C arrives at a chosen moment. It runs in a
#: fresh process, whose main thread gets the signal (pytest-xdist runs tests in another thread,
#: where signals cannot be held). Exit status: 0 written, 130 interrupted with nothing written,
#: 4 interrupted after the file was complete, 3 Ctrl-C still held afterwards.
CHILD = """
import os, signal, sys, tempfile
from pathlib import Path
from questionnaire import files

def ctrl_c_after(real):
    def wrapped(*args, **kwargs):
        done = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # Python raises it at once unless it is held
        return done
    return wrapped

{setup}
try:
    files.write_private(Path(sys.argv[1]) / "answers.yaml", "weaker: yes\\n")
    code = 0
except files.InterruptedAfterWriting:
    code = 4
except KeyboardInterrupt:
    code = 130
held = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, ())
sys.exit(3 if held else code)
"""


def _write_with_ctrl_c(tmp_path: Path, setup: str) -> int:
    done = subprocess.run([sys.executable, "-c", CHILD.format(setup=setup), str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    assert done.returncode in (0, 4, 130), done.stderr
    return done.returncode


@needs_held_signals
def test_a_ctrl_c_just_after_the_temporary_file_is_made_leaves_nothing(tmp_path: Path) -> None:
    """The narrowest window: the file exists on disk, its name not yet known to the caller."""
    setup = "tempfile.mkstemp = ctrl_c_after(tempfile.mkstemp)"
    assert _write_with_ctrl_c(tmp_path, setup) == 130
    assert list(tmp_path.iterdir()) == []


@needs_held_signals
def test_a_ctrl_c_as_the_file_is_renamed_into_place_says_the_file_is_there(
        tmp_path: Path) -> None:
    setup = "os.replace = ctrl_c_after(os.replace)"
    assert _write_with_ctrl_c(tmp_path, setup) == 4
    assert [p.name for p in tmp_path.iterdir()] == ["answers.yaml"]
    assert (tmp_path / "answers.yaml").read_text() == "weaker: yes\n"


@needs_held_signals
def test_where_ctrl_c_is_ignored_the_write_goes_ahead(tmp_path: Path) -> None:
    """A background job ignores SIGINT: a held one must not cancel the write it asked for."""
    setup = ("signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
             "tempfile.mkstemp = ctrl_c_after(tempfile.mkstemp)")
    assert _write_with_ctrl_c(tmp_path, setup) == 0
    assert (tmp_path / "answers.yaml").read_text() == "weaker: yes\n"


def test_the_stop_message_names_a_file_finished_as_ctrl_c_came(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from questionnaire.files import InterruptedAfterWriting
    from questionnaire.render import report
    from tests.conftest import run_cli

    def finished_then_stopped(path: Path, content: str | bytes, *, force: bool = False) -> Path:
        Path(path).write_text("complete")
        raise InterruptedAfterWriting(Path(path))

    monkeypatch.setattr(report, "write_private", finished_then_stopped)
    target = tmp_path / "visit.md"
    result = run_cli("assess", "--answers", "-", "--report", str(target), stdin="weaker: yes\n")
    assert result.code == 130
    assert f"Stopped. {target} was written just before." in result.err
    assert "Nothing was saved" not in result.err
