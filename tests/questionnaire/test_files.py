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
from tests.signals import ctrl_c_as_at_a_terminal


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
    def broken_link(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("os.link", broken_link)
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
                          capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
                          preexec_fn=ctrl_c_as_at_a_terminal)
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
    setup = "os.link = ctrl_c_after(os.link)"
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


def test_a_file_that_appears_while_writing_is_never_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two runs racing for one name: the second to finish is refused, the first file kept."""
    import os

    target = tmp_path / "visit.md"
    real_fsync = os.fsync

    def other_run_finishes_first(descriptor: int) -> None:
        real_fsync(descriptor)
        if not target.exists():
            target.write_text("the emergency report")

    monkeypatch.setattr("os.fsync", other_run_finishes_first)
    with pytest.raises(WriteRefused, match="already exists"):
        write_private(target, "another report")
    assert target.read_text() == "the emergency report"
    assert [p.name for p in tmp_path.iterdir()] == ["visit.md"]


@pytest.mark.parametrize("kind", ["fifo", "device", "link to a device", "directory",
                                  "dangling link"])
def test_force_never_replaces_anything_but_a_regular_file(tmp_path: Path, kind: str) -> None:
    import os

    target = tmp_path / "out.md"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "device":
        target = Path("/dev/null")
    elif kind == "link to a device":
        target.symlink_to("/dev/null")
    elif kind == "directory":
        target.mkdir()
    else:
        target.symlink_to(tmp_path / "gone.md")
    before = os.lstat(target)
    with pytest.raises(WriteRefused, match="never replaced"):
        write_private(target, "x", force=True)
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)


def test_a_full_disk_is_a_refusal_and_leaves_nothing(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("os.fsync", full)
    with pytest.raises(WriteRefused, match="No space left on device"):
        write_private(tmp_path / "a.yaml", "x" * 100_000)
    assert list(tmp_path.iterdir()) == []


def test_a_directory_that_cannot_be_searched_is_a_refusal(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root, permissions do not stop us: the refusal the system gives is simulated."""
    import errno
    import os

    real = os.lstat

    def denied(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(path).startswith(str(tmp_path / "locked")):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("os.lstat", denied)
    with pytest.raises(WriteRefused, match="Permission denied"):
        write_private(tmp_path / "locked" / "a.yaml", "x")


def test_two_outputs_on_one_path_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    target = tmp_path / "both.md"
    result = run_cli("assess", "--answers", "-", "--report", str(target), "--fhir-response",
                     str(target), stdin="weaker: yes\n")
    assert result.code == 2
    assert "is named twice as an output" in result.err
    assert result.out == "" and not target.exists()


def test_every_output_is_checked_before_any_is_written(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    (tmp_path / "answers.json").write_text("mine")
    result = run_cli("assess", "--answers", "-", "--report", str(tmp_path / "visit.md"),
                     "--fhir-response", str(tmp_path / "answers.json"), stdin="weaker: yes\n")
    assert result.code == 2 and "answers.json already exists" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.json"]


#: A child that writes one file and gets SIGTERM or SIGHUP in the middle of writing it.
SIGNAL_CHILD = """
import os, signal, sys
from pathlib import Path
from questionnaire import files

real = os.fsync
def signalled(descriptor):
    real(descriptor)
    os.kill(os.getpid(), signal.{name})  # in the middle: after the data, before the name
os.fsync = signalled
files.write_private(Path(sys.argv[1]) / "visit.md", "x" * 1_000_000)
sys.exit(0)
"""


@needs_held_signals
@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_sigterm_or_sighup_during_a_write_leaves_no_temporary_file(tmp_path: Path,
                                                                   name: str) -> None:
    done = subprocess.run([sys.executable, "-c", SIGNAL_CHILD.format(name=name), str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    assert done.returncode == -getattr(signal, name), done.stderr  # it still ends the process
    assert list(tmp_path.iterdir()) == []


def test_init_rules_on_a_full_disk_leaves_no_partial_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    from tests.conftest import run_cli

    real, calls = os.fsync, []

    def fills_up(descriptor: int) -> None:
        calls.append(descriptor)
        if len(calls) > 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(descriptor)

    monkeypatch.setattr("os.fsync", fills_up)
    result = run_cli("init-rules", str(tmp_path / "mine"))
    assert result.code == 2 and "No space left on device" in result.err
    assert list(tmp_path.iterdir()) == []
