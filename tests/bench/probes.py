"""Fresh-process measurements: startup against the import floor, and loading plus compiling.

Each probe is a separate ``python -c`` process, timed from spawn to exit by the parent. Both
probes run under the same conditions, alternating, so a busy machine slows both alike. They run
with a temporary bytecode cache (``PYTHONPYCACHEPREFIX`` in a directory deleted afterwards) and a
warm-up run first: that is the state of an installed tool after its first start, and nothing is
written into the project or the virtual environment.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: What the interactive questionnaire (`muscle-triage` at a terminal) does before it can show its
#: first question: import the command line, read an empty command line as questionnaire.cli.run
#: does, import the questionnaire with its questionary front end, load the knowledge base, and
#: find the first question to ask.
STARTUP = """
from questionnaire.cli import build_parser
args = build_parser().parse_args([])
import questionnaire.terminal.session
import questionnaire.terminal.menus
from questionnaire.environment import Environment
from questionnaire.rules_option import knowledge_base
from questionnaire.flow import Questionnaire
kb = knowledge_base(args, Environment.from_system())
assert Questionnaire(kb).current().text
"""

#: The same for `muscle-triage --plain` (numbered prompts, the mode screen readers use): its
#: front end draws with questionnaire/terminal/styled.py and needs no prompt_toolkit.
STARTUP_PLAIN = """
from questionnaire.cli import build_parser
args = build_parser().parse_args(["--plain"])
import questionnaire.terminal.session
import questionnaire.terminal.plain
from questionnaire.commands.common import knowledge_base
from questionnaire.environment import Environment
from questionnaire.flow import Questionnaire
kb = knowledge_base(args, Environment.from_system())
assert Questionnaire(kb).current().text
"""

#: The least any start can cost: the three libraries the tool is built on.
IMPORT_FLOOR = "import experta, questionary, yaml"

#: Loading and compiling the shipped knowledge base, timed inside a fresh process (imports
#: excluded), since a process compiles it once.
LOAD_COMPILE = """
import time
from engine.run.assess import network_for
from engine.load.knowledge_base import load_knowledge_base
start = time.perf_counter()
network_for(load_knowledge_base())
print((time.perf_counter() - start) * 1000)
"""


@contextmanager
def probe_environment() -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="muscle-triage-bench-") as cache:
        environ = dict(os.environ, PYTHONPYCACHEPREFIX=cache)
        environ.pop("PYTHONDONTWRITEBYTECODE", None)
        yield environ


def _run(code: str, environ: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True,
                          text=True, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"probe failed:\n{code}\n{done.stderr}")
    return elapsed, done.stdout


def startup_and_floor(runs: int) -> tuple[float, float, float]:
    """Median wall time (ms) of a fresh process: (startup, --plain startup, import floor)."""
    codes = (STARTUP, STARTUP_PLAIN, IMPORT_FLOOR)
    times: list[list[float]] = [[] for _ in codes]
    with probe_environment() as environ:
        for code in codes:  # warm the bytecode cache
            _run(code, environ)
        for _ in range(runs):
            for code, kept in zip(codes, times, strict=True):
                kept.append(_run(code, environ)[0])
    startup, plain, floor = (statistics.median(kept) for kept in times)
    return startup, plain, floor


def load_compile(runs: int) -> float:
    """Median in-process time (ms) to load and compile the shipped knowledge base."""
    with probe_environment() as environ:
        _run(LOAD_COMPILE, environ)
        return statistics.median(float(_run(LOAD_COMPILE, environ)[1]) for _ in range(runs))


#: What a person sees first at a real terminal: the welcome box and its "Ready?" menu.
READY = b"Ready?"


def _welcome_once(environ: dict[str, str], timeout: float = 30.0) -> float:
    """Wall time (ms) from spawning `python -m questionnaire` on a pseudo-terminal until the
    welcome menu is drawn; then the process is stopped. POSIX only."""
    import fcntl
    import select
    import signal
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    terminal = dict(environ, TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1")
    terminal.pop("NO_COLOR", None)
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "questionnaire"], stdin=slave,
                               stdout=slave, stderr=slave, env=terminal, start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        while READY not in seen:
            left = timeout - (time.perf_counter() - start)
            if left <= 0 or not select.select([master], [], [], left)[0]:
                raise RuntimeError(f"the welcome menu did not appear; the screen showed {seen!r}")
            try:
                seen += os.read(master, 65536)
            except OSError:  # the child closed the terminal: it ended early
                raise RuntimeError(f"the questionnaire ended before its menu: {seen!r}") from None
        return (time.perf_counter() - start) * 1000
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        os.close(master)


def welcome_on_terminal(runs: int) -> float | None:
    """Median ms until the welcome menu is drawn at a real (pseudo-)terminal, or None where
    there are no pseudo-terminals. Not a goal of issue 7: it shows what a person waits, which
    includes drawing the box and questionary building its first prompt."""
    if not hasattr(os, "openpty"):
        return None
    with probe_environment() as environ:
        _welcome_once(environ)  # warm the bytecode cache
        return statistics.median(_welcome_once(environ) for _ in range(runs))
