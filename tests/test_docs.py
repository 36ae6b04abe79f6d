"""What README.md and docs/ show is what the tool does today.

Every ```console block is run: each `$ ` line is a command (`uv run muscle-triage` is run as
`python -m questionnaire`, from the repository root, without colour), and what follows it is
the output it must print. A line that is only `...` stands for any number of lines, and `...`
inside a line for any text, so a page can shorten long output without lying about it. Blocks
that illustrate something the shipped rules cannot produce (a failing test, a made-up rule) are
```text and are not run. Every command and flag the README's command summary names must exist.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest

from tests.conftest import run_cli
from tests.repo import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)


def console_blocks() -> list[tuple[str, str, list[str]]]:
    """(page:line, command, expected lines) for every command in every console block."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for block in FENCE.finditer(text):
            line = text.count("\n", 0, block.start()) + 2
            command: str | None = None
            expected: list[str] = []
            start = line
            for offset, row in enumerate(block.group(1).splitlines()):
                if row.startswith("$ "):
                    if command is not None:
                        found.append((f"{page.name}:{start}", command, expected))
                    command, expected, start = row[2:], [], line + offset
                elif command is not None:
                    expected.append(row)
            if command is not None:
                found.append((f"{page.name}:{start}", command, expected))
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` fits ``expected``, where `...` lines and `...` in a line are wildcards."""
    def fits(pattern: str, line: str) -> bool:
        parts = [re.escape(part) for part in pattern.rstrip().split("...")]
        return re.fullmatch(".*".join(parts), line.rstrip()) is not None

    def walk(i: int, j: int) -> bool:
        if i == len(expected):
            return j == len(actual)
        if expected[i].strip() == "...":
            return any(walk(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and fits(expected[i], actual[j]) and walk(i + 1, j + 1)

    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    return walk(0, 0)


def run_shown(command: str) -> str:
    """Run a documented command line as a person would, in the checkout, without colour."""
    python = shlex.quote(sys.executable)
    line = command.replace("uv run muscle-triage", f"{python} -m questionnaire")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
    done = subprocess.run(["bash", "-c", line], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    return done.stdout


BLOCKS = console_blocks()


def test_the_pages_show_commands() -> None:
    assert len(BLOCKS) >= 4, "README and docs should show real sessions"


@pytest.mark.parametrize(("where", "command", "expected"), BLOCKS,
                         ids=[where for where, _, _ in BLOCKS])
def test_each_documented_command_prints_what_the_page_shows(
        where: str, command: str, expected: list[str]) -> None:
    actual = run_shown(command).splitlines()
    while actual and not actual[-1].strip():
        actual.pop()
    while expected and not expected[-1].strip():
        expected = expected[:-1]
    assert matches(expected, actual), (
        f"{where}: `{command}` printed:\n" + "\n".join(actual))


def test_every_flag_in_the_readme_summary_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    summary = readme.split("## Commands", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    rows: list[str] = []
    for row in summary.splitlines():  # a line that starts with spaces continues the one above
        if row.startswith(" ") and rows:
            rows[-1] += " " + row.strip()
        elif row.strip():
            rows.append(row)
    for row in rows:
        words = row.split()
        if words[0] != "muscle-triage":
            continue
        command = [] if words[1].startswith(("[", "--")) else [words[1]]
        if command == ["export"]:
            command = ["export", "fhir"]
        # in-process: the question is what the parser offers, not how a process starts
        shown = run_cli(*command, "--help")
        assert shown.code == 0, shown.err
        named = "the questionnaire" if not command else " ".join(command)
        for flag in re.findall(r"--[a-z][a-z-]*", row.split("  ")[0] if command else row):
            assert flag in shown.out, f"README names {flag} for {named}"


def test_matching_understands_ellipses() -> None:
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a ...", "..."], ["a b", "c"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(["a", "...", "e"], ["a", "b"])
