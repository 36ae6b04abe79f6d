"""Many runs of `muscle-triage`, each in a process of its own, forked from one warm parent.

Starting `python -m questionnaire` costs about a second of CPU, nearly all of it importing the
command line's libraries (experta, PyYAML, jsonschema, textstat with setuptools' pkg_resources);
the run itself is a tenth of that. A test that runs the program dozens of times to record what
it says (tests/bad_input_table.py: 50 runs, 85 s of the suite on a busy 2-core machine) pays
that import every time. Here one parent process imports the program once and forks a child per
run: each child is a new process, with its own working directory, standard input (a pipe, as
`subprocess.run(input=...)` gives), standard output and error (files) and exit status, and it
runs the program's real entry point (``questionnaire.__main__.main``) from the top, loading its
own knowledge base. What it does not get is a fresh interpreter start, so runs whose point is
the process boundary itself (a closed or full standard stream, a signal, the interpreter's
exit-time flush) stay with ``subprocess`` in their tests.

    runs = run_forked([Job(("check", "--rules", "rules"), cwd)], environ)

POSIX only (``os.fork``); the parent is a process of its own, never the pytest worker, which has
threads of its own that a fork would copy in an unknown state.
"""

from __future__ import annotations

import importlib
import os
import pickle
import pkgutil
import subprocess
import sys
import tempfile
import traceback
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.repo import ROOT

#: The program's own packages, imported in the parent so that no child pays for them. The web
#: front end (Starlette, Jinja) is left out: no run here serves pages.
WARM_PACKAGES = ("engine", "questionnaire.commands", "questionnaire.render",
                 "questionnaire.terminal")
#: Libraries the program imports only on first use.
WARM_LIBRARIES = ("jsonschema", "textstat", "questionary")


@dataclass(frozen=True)
class Job:
    """One run: the arguments after `muscle-triage`, the directory to run in, what to read."""

    argv: tuple[str, ...]
    cwd: Path
    stdin: bytes = b""


@dataclass(frozen=True)
class Done:
    """What one run wrote and how it ended."""

    code: int
    stdout: bytes
    stderr: bytes


def run_forked(jobs: Sequence[Job], environ: Mapping[str, str], timeout: float = 600
               ) -> list[Done]:
    """Run every job, one after another, each in a child of one warm parent started here with
    ``environ`` (which every child inherits, as it would from a shell)."""
    with tempfile.TemporaryDirectory() as scratch:
        orders, answers = Path(scratch) / "jobs.pickle", Path(scratch) / "done.pickle"
        orders.write_bytes(pickle.dumps(list(jobs)))
        parent = subprocess.run(
            [sys.executable, "-m", "tests.forked_runs", str(orders), str(answers)],
            cwd=ROOT, env={**environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL,
            capture_output=True, timeout=timeout, check=False)
        if parent.returncode != 0 or not answers.exists():
            raise RuntimeError("the warm parent failed:\n"
                               + parent.stderr.decode("utf-8", "replace"))
        done: list[Done] = pickle.loads(answers.read_bytes())
    return done


def _warm_up() -> None:
    """Import what the program imports, so each child starts with it loaded."""
    for package in WARM_PACKAGES:
        module = importlib.import_module(package)
        for found in pkgutil.walk_packages(module.__path__, package + "."):
            importlib.import_module(found.name)
    with warnings.catch_warnings():  # textstat's own pkg_resources warning, hushed as in use
        warnings.simplefilter("ignore")
        for library in WARM_LIBRARIES:
            importlib.import_module(library)


def _exit_status(code: object) -> int:
    """The status the interpreter would give for ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _child(job: Job, stdin: int, stdout: int, stderr: int) -> None:
    """In the forked child: take the job's streams and directory, run the program, exit."""
    os.dup2(stdin, 0)
    os.dup2(stdout, 1)
    os.dup2(stderr, 2)
    code = 1
    try:
        os.chdir(job.cwd)
        from questionnaire.__main__ import main

        sys.argv = ["muscle-triage", *job.argv]
        main()
        code = 0
    except SystemExit as stop:
        code = _exit_status(stop.code)
    except BaseException:  # what the interpreter does with an uncaught exception
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                code = 120  # the interpreter's status when its exit-time flush fails
        os._exit(code)


def _run_one(job: Job, scratch: Path) -> Done:
    out_path, err_path = scratch / "out", scratch / "err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            os.close(write_end)
            _child(job, read_end, out.fileno(), err.fileno())
        os.close(read_end)
        try:
            _write_all(write_end, job.stdin)
        except BrokenPipeError:  # the program ended without reading all of it
            pass
        finally:
            os.close(write_end)
        _, status = os.waitpid(pid, 0)
    return Done(os.waitstatus_to_exitcode(status), out_path.read_bytes(), err_path.read_bytes())


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _serve(orders: Path, answers: Path) -> None:
    jobs: list[Job] = pickle.loads(orders.read_bytes())
    _warm_up()
    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryDirectory() as scratch:
        done = [_run_one(job, Path(scratch)) for job in jobs]
    answers.write_bytes(pickle.dumps(done))


if __name__ == "__main__":  # as tests.forked_runs, so that what it pickles unpickles in a test
    from tests.forked_runs import _serve as serve

    serve(Path(sys.argv[1]), Path(sys.argv[2]))
