"""Ctrl-C, end of input and a closed standard output: calm exits, nothing half-written.

These run the real program in a child process, because signals, pipes and the interpreter's own
exit-time flush only happen there.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from questionnaire.__main__ import STOPPED
from tests.conftest import run_cli
from tests.repo import ROOT
from tests.signals import ctrl_c_as_at_a_terminal

PROGRAM = [sys.executable, "-m", "questionnaire"]

#: Each test starts the program as a process of its own and signals or starves it: slow.
pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and pipes"),
              pytest.mark.slow]


def _child_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COV")}
    env["PYTHONPATH"] = str(ROOT)
    return env


@contextmanager
def _child(argv: list[str], **popen: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A child process with piped output, killed on the way out whatever the test found."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                               env=_child_env(), preexec_fn=ctrl_c_as_at_a_terminal, **popen)
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def _ctrl_c(process: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """Press Ctrl-C on a running child and collect everything it writes until it ends."""
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    return out, err


def _assert_stopped_calmly(process: subprocess.Popen[bytes], out: bytes, err: bytes) -> None:
    """Exit 130, the one calm line on standard error, nothing on standard output."""
    assert process.returncode == 130, err.decode()
    assert err.decode() == STOPPED
    assert out == b""


def _wait_until_reading_stdin(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Block until the child sits in read(0, ...), i.e. past start-up and waiting for input."""
    deadline = time.monotonic() + timeout
    syscall = Path(f"/proc/{process.pid}/syscall")
    while time.monotonic() < deadline:
        assert process.poll() is None, "the program ended before reading its input"
        try:
            fields = syscall.read_text().split()
        except OSError:  # no /proc: give start-up a generous moment instead
            time.sleep(3)
            return
        if fields[:2] == ["0", "0x0"]:  # syscall 0 (read) on file descriptor 0 (x86-64)
            return
        if fields and fields[0] not in ("running",) and not fields[0].isdigit():
            time.sleep(3)
            return
        time.sleep(0.05)
    pytest.fail("the program never started reading standard input")


def test_ctrl_c_while_waiting_for_answers_exits_130_calmly() -> None:
    with _child([*PROGRAM, "assess", "--answers", "-"], stdin=subprocess.PIPE) as process:
        _wait_until_reading_stdin(process)
        out, err = _ctrl_c(process)
    _assert_stopped_calmly(process, out, err)


def test_ctrl_c_during_start_up_exits_130_calmly() -> None:
    """The signal lands while the command line's libraries are still being imported."""
    child = ("import builtins, sys\n"
             "from questionnaire.__main__ import main\n"
             "sys.argv = ['muscle-triage', 'questions']\n"
             "real = builtins.__import__\n"
             "def announce(name, *args, **kwargs):\n"  # says so from inside main()
             "    if name == 'questionnaire.cli':\n"
             "        print('importing', file=sys.stderr, flush=True)\n"
             "    return real(name, *args, **kwargs)\n"
             "builtins.__import__ = announce\n"
             "main()\n")
    with _child([sys.executable, "-c", child]) as process:
        assert process.stderr is not None
        assert process.stderr.readline() == b"importing\n"
        out, err = _ctrl_c(process)
    _assert_stopped_calmly(process, out, err)


def test_closed_standard_output_exits_141_without_a_word() -> None:
    """The reader is gone before the first write (as with `| head -1` on a long output)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([*PROGRAM, "questions"], stdout=write_end,
                              stderr=subprocess.PIPE, cwd=ROOT, env=_child_env(), timeout=60,
                              check=False)
    finally:
        os.close(write_end)
    assert done.returncode == 141
    assert done.stderr == b""  # no traceback, no "Exception ignored", no rich exit message


def test_empty_input_is_refused_and_an_explicit_empty_mapping_means_no_answers() -> None:
    """An empty answers stream is far more often a mistake than a wish: it is refused, never
    answered with "No warning signs"; ``{}`` says "no answers" on purpose."""
    refused = run_cli("assess", "--answers", "-", stdin="")
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == ("muscle-triage: <stdin>: holds no answers (it is empty); to be "
                           "assessed on no answers at all, write {}\n")
    result = run_cli("assess", "--answers", "-", stdin="{}\n")
    assert result.code == 0
    assert "Nothing urgent in your answers" in result.out and result.err == ""


@pytest.mark.slow
@pytest.mark.parametrize(("closed", "command", "code"), [
    ("stdout", ["questions"], 141), ("stdout", ["--plain"], 141),
    ("stdout", ["assess", "--answers", "-"], 141),
    ("stdin", ["--plain"], 130), ("stdin", ["assess", "--answers", "-"], 2),
])
def test_a_stream_closed_from_the_start_is_end_of_input_or_exit_141(
        closed: str, command: list[str], code: int) -> None:
    """`<&-` reads as input that has ended; `>&-` as a reader that is gone."""
    shell = f"exec {'<' if closed == 'stdin' else '>'}&- " + " ".join(
        shlex.quote(word) for word in [*PROGRAM, *command])
    done = subprocess.run(["sh", "-c", shell], input=b"{}\n" if closed == "stdout" else None,
                          stderr=subprocess.PIPE,
                          stdout=subprocess.PIPE if closed == "stdin" else None,
                          cwd=ROOT, env=_child_env(), timeout=60, check=False)
    assert done.returncode == code, done.stderr
    assert b"Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", [["questions"], ["check"], ["demo"], ["export", "fhir"],
                                     ["assess", "--answers", "-"], ["--plain"], ["--help"],
                                     ["explain", "rf_breathing_trouble"]])
def test_standard_output_on_a_full_disk_is_one_clear_line(command: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run([*PROGRAM, *command], stdout=full, input=b"weaker: yes\n",
                              stderr=subprocess.PIPE, cwd=ROOT, env=_child_env(), timeout=60,
                              check=False)
    assert done.returncode == 1, done.stderr
    assert done.stderr.decode().splitlines()[-1] == ("muscle-triage: cannot write the output: "
                                                     "No space left on device")
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr


def test_interrupted_writes_leave_whole_files_or_none(tmp_path: Path) -> None:
    """Ctrl-C arrives in the middle of a run of large private writes."""
    child = (
        "import sys\n"
        "from pathlib import Path\n"
        "from questionnaire.files import write_private\n"
        "data = b'x' * (1024 * 1024)\n"
        "try:\n"
        "    for i in range(10_000):\n"
        f"        write_private(Path({str(tmp_path)!r}) / f'answers{{i}}.yaml', data)\n"
        "        print('wrote', i, flush=True)\n"
        "except KeyboardInterrupt:\n"
        "    sys.exit(130)\n"
    )
    with _child([sys.executable, "-c", child]) as process:
        assert process.stdout is not None
        while process.stdout.readline() != b"wrote 2\n":  # three writes done, the next under way
            assert process.poll() is None, "the writer ended before it was interrupted"
        _, err = _ctrl_c(process)
    assert process.returncode == 130, err.decode()
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names, "no write finished before the interrupt; the test proved nothing"
    assert all(name.startswith("answers") and name.endswith(".yaml") for name in names), names
    assert all((tmp_path / name).stat().st_size == 1024 * 1024 for name in names)
