"""What every input to a reader must end in: success, or a clear message and exit 1 or 2.

Each check runs the real command line in-process, so an exception that escapes ``run`` (what a
user would see as a traceback) fails the check, as does a message that does not say where.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.model import KnowledgeBase
from questionnaire.cli import run
from questionnaire.environment import Environment, Loader
from tests.conftest import reusing
from tests.fuzz.runs import OUTCOMES
from tests.fuzz.strategies import EXECUTED_MARKER

#: Problems about a whole file (or the directory) rather than a place in it carry no line.
FILE_LEVEL = ("larger than", "missing: ", "cannot read", "no *.rules.yaml", "not a directory")
#: A message echoes a little of what was wrong, never a whole file.
MAX_MESSAGE = 400
#: Generous: the slowest legitimate input (a file just under 1 MiB) parses in a few seconds here.
MAX_SECONDS = 20.0


def _kind(message: str) -> str:
    """A message with its particulars blanked, to count kinds of ending."""
    return re.sub(r"\d+", "N", re.sub(r"'[^']*'|\"[^\"]*\"", "…", message))[:70]


#: Whether a knowledge base that checks is also compiled and assessed (the campaign may skip
#: this, the slowest step, to try more inputs; the suite never does).
ASSESS_WHAT_LOADS = [True]
#: The slowest single run seen, in seconds (for the campaign's report).
SLOWEST = [0.0]

_WHERE = re.compile(r"^(?P<path>[^:]+?)(?::(?P<line>\d+))?: (?P<message>.+)$")


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float


def run_bytes(argv: list[str], stdin: bytes = b"", loader: Loader | None = None) -> Run:
    """Run the CLI in-process with raw bytes on standard input (and ``loader``, if given, to
    read the knowledge base)."""
    stdin_stream = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    env = Environment(stdin_stream, io.StringIO(), io.StringIO(), {},  # type: ignore[arg-type]
                      loader=loader)
    started = time.perf_counter()
    code = run(argv, env)  # anything that escapes here is what a user would see as a traceback
    seconds = time.perf_counter() - started
    return Run(code, env.stdout.getvalue(), env.stderr.getvalue(),  # type: ignore[attr-defined]
               seconds)


def _assert_calm(result: Run) -> None:
    SLOWEST[0] = max(SLOWEST[0], result.seconds)
    assert "Traceback" not in result.err + result.out
    assert result.seconds < MAX_SECONDS, f"took {result.seconds:.1f} s"
    assert not EXECUTED_MARKER.exists(), "a python tag was executed"
    for line in result.err.splitlines():
        assert len(line) <= MAX_MESSAGE, f"message too long ({len(line)} chars): {line[:200]}..."


def check_rules_input(rules_dir: Path, answers_file: Path) -> Run:
    """``check`` on a knowledge base directory: OK, or every problem at FILE[:LINE] and exit 1."""
    result = run_bytes(["check", "--rules", str(rules_dir)])
    _assert_calm(result)
    assert result.code in (0, 1), result
    if result.code == 0:
        assert result.out.startswith("OK: ") and result.err == ""
        OUTCOMES["rules: exit 0"] += 1
        if not ASSESS_WHAT_LOADS[0]:
            return result
        # A knowledge base that checks must also compile and assess.
        assessed = run_bytes(["assess", "--rules", str(rules_dir), "--answers", str(answers_file),
                              "--format", "json"])
        _assert_calm(assessed)
        assert assessed.code == 0, assessed.err
        OUTCOMES["rules: exit 0, then assessed"] += 1
        return result
    *problems, summary = result.err.splitlines()
    assert re.fullmatch(r"muscle-triage: the knowledge base has \d+ problems?", summary), summary
    assert problems, "exit 1 without a single problem listed"
    OUTCOMES["rules: inputs ending in exit 1"] += 1
    for problem in problems:
        assert problem.startswith(str(rules_dir)), problem
        found = _WHERE.match(problem)
        assert found, problem
        OUTCOMES[f"rules: exit 1: {_kind(found['message'])}"] += 1
        if found["line"] is None:
            assert any(words in found["message"] for words in FILE_LEVEL), \
                f"no line for a problem inside a file: {problem}"
    return result


def check_answers_input(argv: list[str], stdin: bytes, shown: str,
                        kb: KnowledgeBase) -> Run:
    """``assess`` on an answers file: a result and exit 0, or one clear message and exit 2.

    A clear message names the file (and line, for malformed text) or the question (and, for a
    bad value, the allowed values). The run is given ``kb``, the shipped knowledge base loaded
    once: answers fuzzing is about the answers.
    """
    result = run_bytes(argv, stdin, reusing(kb))
    _assert_calm(result)
    assert result.code in (0, 2), result
    if result.code == 0:
        assert result.out.strip()
        OUTCOMES["answers: exit 0"] += 1
        return result
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    message = lines[0]
    assert message.startswith("muscle-triage: "), message
    message = message.removeprefix("muscle-triage: ")
    ids = {q.id for q in kb.questions}
    OUTCOMES[f"answers: exit 2: {_kind(message.replace(shown, 'FILE'))}"] += 1
    if message.startswith(f"{shown}:") or message.startswith(f"{shown} "):
        rest = message[len(shown):]
        assert re.match(r"^:\d+: ", rest) or any(words in rest for words in (
            "larger than", "cannot read", "not valid JSON", "nested too deeply")), message
    elif message.startswith("question '"):
        question = message.split("'")[1]
        assert question in ids, message
        assert "allowed: " in message, message
    elif message.startswith("unknown question "):
        assert "'muscle-triage questions' lists them" in message
    else:
        assert message.startswith("answers must be a mapping"), message
    return result


@contextmanager
def reuse_unchanged_files(shipped: Path) -> Iterator[None]:
    """Parse and schema-check each unchanged shipped file once, to spend the time on the fuzzed one.

    Only a file whose bytes are exactly the shipped ones is reused; the fuzzed file is always
    read, parsed and checked afresh, and the checks across files always run.
    """
    import engine.load.documents as loader  # reads and schema-checks every file
    from engine.load.yaml_reader import parse_bytes, read_limited

    originals = {path.name: path.read_bytes() for path in shipped.glob("*.yaml")}
    parsed: dict[tuple[str, str], Any] = {}
    real = loader.read_yaml

    def read_yaml(path: Path, display: str | None = None) -> Any:
        shown = display or str(path)
        raw = read_limited(path, shown)
        if originals.get(path.name) != raw:
            return parse_bytes(raw, shown)
        if (path.name, shown) not in parsed:
            parsed[(path.name, shown)] = parse_bytes(raw, shown)
        return parsed[(path.name, shown)]

    checked: dict[int, Any] = {}
    real_schema = loader.schema_problems

    def schema_problems(kind: str, document: Any, path: str) -> Any:
        if not any(document is doc for doc in parsed.values()):
            return real_schema(kind, document, path)
        if id(document) not in checked:
            checked[id(document)] = real_schema(kind, document, path)
        return checked[id(document)]

    loader.read_yaml = read_yaml  # type: ignore[assignment]
    loader.schema_problems = schema_problems  # type: ignore[assignment]
    try:
        yield
    finally:
        loader.read_yaml = real  # type: ignore[assignment]
        loader.schema_problems = real_schema  # type: ignore[assignment]
