"""What the first question waits for: rich (about 65 ms to import and draw) is not among it.

Both front ends draw the welcome and the questions with questionnaire/styled.py and load rich
only for the result (issue 7). Each check runs in a fresh process, since this one has long since
imported rich for other tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.model import KnowledgeBase
from questionnaire.flow import Questionnaire

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import argparse, sys
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from questionnaire import interactive, plain, tui
from questionnaire.commands.common import knowledge_base
from questionnaire.environment import Environment
from questionnaire.flow import Questionnaire

class Asked(Exception):
    pass

def note_and_stop(self, question, *rest):
    print(question.id, "rich" in sys.modules)
    raise Asked

kind = sys.argv[1]
kb = knowledge_base(argparse.Namespace())
env = Environment.captured(stdin="", tty=kind == "tui")
with create_pipe_input() as keys, create_app_session(input=keys, output=DummyOutput()):
    keys.send_text("\\r")  # the welcome menu: "Start the questions"
    if kind == "tui":
        tui.QuestionaryFrontEnd.ask = note_and_stop
        front = tui.QuestionaryFrontEnd(env)
    else:
        plain.PlainFrontEnd.ask = note_and_stop
        front = plain.PlainFrontEnd(env)
    try:
        interactive.converse(Questionnaire(kb), front)
    except Asked:
        pass
assert "muscle-triage" in env.stdout.getvalue(), env.stdout.getvalue()  # the welcome was drawn
"""


@pytest.mark.parametrize("kind", ["tui", "plain"])
def test_the_first_question_is_asked_before_rich_is_imported(kind: str, kb: KnowledgeBase
                                                             ) -> None:
    done = subprocess.run([sys.executable, "-c", CHILD, kind], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    first_question, rich_loaded = done.stdout.split()
    assert first_question == Questionnaire(kb).current().id  # type: ignore[union-attr]
    assert rich_loaded == "False"
