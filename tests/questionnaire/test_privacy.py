"""Private by construction: no network, no file nobody asked for, no answer in any log.

Every command runs with sockets blocked, in an empty working directory with HOME (and the XDG
directories) pointing at an empty place; afterwards nothing may have tried to connect and nothing
new may exist there.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from questionnaire.commands import COMMANDS
from tests.conftest import CliResult, run_cli

ANSWERS = ("sudden_one_sided: no\nweaker: yes\nonset: over_weeks\n"
           "where_affected: [hands, feet_ankles]\ninactivity: [cast]\n")
ANSWER_VALUES = ("over_weeks", "hands", "feet_ankles", "cast")

#: How to run each command for real (its --help is run too), with the paths each run was asked
#: to write. A new command must be added here.
INVOCATIONS: dict[str, list[tuple[list[str], tuple[str, ...]]]] = {
    "check": [(["check"], ())],
    "questions": [(["questions"], ()), (["questions", "--format", "json"], ())],
    "assess": [(["assess", "--answers", "answers.yaml"], ()),
               (["assess", "--answers", "answers.yaml", "--format", "json"], ()),
               (["assess", "--answers", "-"], ()),
               (["assess", "--answers", "-", "--fhir-response", "response.json"],
                ("response.json",)),
               (["assess", "--answers", "answers.yaml", "--explain"], ()),
               (["assess", "--answers", "answers.yaml", "--watch"], ()),
               (["assess", "--answers", "answers.yaml", "--report", "report.md"],
                ("report.md",))],
    "test": [(["test"], ())],
    "explain": [(["explain", "disuse_only"], ()), (["explain", "weaker"], ())],
    "graph": [(["graph"], ()), (["graph", "--answers", "answers.yaml", "--format", "dot"], ()),
              (["graph", "--format", "mermaid", "-o", "graph.mmd"], ("graph.mmd",))],
    "demo": [(["demo"], ()), (["demo", "rule_chain"], ())],
    "export": [(["export", "fhir"], ()), (["export", "fhir", "-o", "q.json"], ("q.json",))],
    "init-rules": [(["init-rules", "my-rules"], ("my-rules",))],
    # Serving binds a socket, which this test forbids; tests/questionnaire/web/ serves for real.
    "serve": [(["serve", "--workers", "0"], ()), (["serve", "--class", "--workers", "2"], ())],
}
TOP_LEVEL: list[tuple[list[str], tuple[str, ...]]] = [
    ([], ()), (["--plain"], ()), (["--help"], ()), (["--version"], ()),
    (["--no-such-option"], ())]


def every_invocation() -> list[tuple[list[str], tuple[str, ...]]]:
    runs = list(TOP_LEVEL)
    for command in COMMANDS:
        runs.append(([command.name, "--help"], ()))
        runs.extend(INVOCATIONS.get(command.name, []))
    return runs


class NetworkBlocked(OSError):
    pass


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every way to reach the network raises, and is recorded."""
    attempts: list[str] = []

    def refuse(name: str):  # type: ignore[no-untyped-def]
        def blocked(*args: object, **kwargs: object) -> None:
            attempts.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise NetworkBlocked(f"network blocked by test: {name}")
        return blocked

    for name in ("connect", "connect_ex", "sendto", "bind"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        monkeypatch.setattr(socket, name, refuse(name))
    return attempts


@pytest.fixture
def empty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory that is also HOME and every XDG directory."""
    monkeypatch.chdir(tmp_path)
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(tmp_path))
    return tmp_path


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in root.rglob("*") if "__pycache__" not in path.parts}


def test_the_blocker_would_notice_a_connection(network_attempts: list[str]) -> None:
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)
    with pytest.raises(NetworkBlocked), socket.socket() as sock:
        sock.connect(("192.0.2.1", 80))
    assert len(network_attempts) == 2


def test_every_command_has_a_real_invocation_here() -> None:
    missing = sorted(c.name for c in COMMANDS if c.name not in INVOCATIONS)
    assert not missing, f"add invocations of {missing} to INVOCATIONS in this file"


@pytest.mark.slow
def test_no_command_connects_or_writes_anything_unasked(cli_kb: Callable[..., CliResult],
                                                         network_attempts: list[str],
                                                         empty_home: Path) -> None:
    from engine.load.paths import shipped_rules_dir

    (empty_home / "answers.yaml").write_text(ANSWERS, encoding="utf-8")
    before = _snapshot(empty_home)
    rules_before = _snapshot(shipped_rules_dir())
    asked: set[str] = set()
    for argv, writes in every_invocation():
        result = cli_kb(*argv, stdin=ANSWERS,
                         environ={"HOME": str(empty_home), "TERM": "xterm"})
        assert "Traceback" not in result.err, argv
        assert result.code in (0, 2, 130), (argv, result.err)
        asked.update(writes)
    assert network_attempts == []
    new = {path: facts for path, facts in _snapshot(empty_home).items() if path not in before}
    assert {path.split("/")[0] for path in new} == asked  # exactly what was asked for, no more
    for path in new:
        if (empty_home / path).is_file():
            assert (empty_home / path).stat().st_mode & 0o077 == 0, f"{path} is readable by others"
    assert all(_snapshot(empty_home)[path] == facts for path, facts in before.items())
    assert _snapshot(shipped_rules_dir()) == rules_before


def test_no_answer_reaches_any_log(caplog: pytest.LogCaptureFixture) -> None:
    """Even when a host program turns on DEBUG logging for everything."""
    caplog.set_level(logging.DEBUG)
    for extra in (["--format", "text", "--watch"], ["--format", "json"]):
        result = run_cli("assess", "--answers", "-", *extra, stdin=ANSWERS)
        assert result.code == 0, result.err
    assert '"onset": "over_weeks"' in result.out  # the answers were read and used
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    for value in ANSWER_VALUES:
        assert value not in logged, f"answer {value!r} was logged"
