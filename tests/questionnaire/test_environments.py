"""Odd environments: a non-UTF-8 locale, a very narrow terminal, NO_COLOR and TERM=dumb."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.repo import ROOT

EMERGENCY = "sudden_one_sided: yes\nweaker: yes\n"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# Runs text and JSON output through the real sys.stdout of a process whose locale is plain C.
_CHILD = """
import sys
from functools import cache
from engine.load.knowledge_base import load_knowledge_base
from questionnaire.cli import run
from questionnaire.environment import Environment
env = Environment.from_system()
env.loader = cache(load_knowledge_base)  # read the rules once, not thrice
for fmt in ("text", "json"):
    code = run(["assess", "--answers", sys.argv[1], "--format", fmt], env)
    sys.stdout.write("\\n@@ %d\\n" % code)
run(["questions"], env)
"""


def test_c_locale_prints_plain_stand_ins_instead_of_crashing(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(EMERGENCY, encoding="utf-8")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("LC_", "PYTHONIOENCODING", "PYTHONUTF8", "LANG"))}
    # LC_ALL=C with UTF-8 mode off: Python's streams are plain ASCII, as on an old server.
    env.update(LC_ALL="C", LANG="C", PYTHONUTF8="0", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", _CHILD, str(answers)], capture_output=True,
                          cwd=ROOT, env=env, timeout=60, check=False)
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode(errors="replace")
    out = done.stdout.decode("ascii")  # every byte is ASCII
    text, rest = out.split("\n@@ 0\n", 1)
    result, questions = rest.split("\n@@ 0\n", 1)
    assert "Emergency - get help now" in text  # '—' became '-', nothing was lost around it
    assert json.loads(result)["urgency"]["title"] == "Emergency - get help now"
    assert "sudden_one_sided" in questions


def test_very_narrow_terminal_wraps_within_its_width(cli_kb: Callable[..., CliResult],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "20")
    for argv in (("assess", "--answers", "-"), ("questions",)):
        result = cli_kb(*argv, stdin=EMERGENCY, tty=True, environ={"TERM": "xterm"})
        assert result.code == 0, result.err
        lines = ANSI.sub("", result.out).splitlines()
        assert len(lines) > 20
        assert max(len(line) for line in lines) <= 20


@pytest.mark.parametrize("environ", [{"TERM": "xterm", "NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_no_color_and_dumb_terminal_get_no_escape_codes(cli_kb: Callable[..., CliResult],
                                                        environ: dict[str, str]) -> None:
    for argv in (("assess", "--answers", "-"), ("questions",)):
        result = cli_kb(*argv, stdin=EMERGENCY, tty=True, environ=environ)
        assert result.code == 0
        assert "\x1b" not in result.out + result.err
    coloured = cli_kb("assess", "--answers", "-", stdin=EMERGENCY, tty=True,
                       environ={"TERM": "xterm"})
    assert "\x1b[" in coloured.out  # the same run on a colour terminal does colour
