"""What the first question waits for: rich (about 65 ms to import and draw) is not among it.

Both front ends draw the welcome and the questions with questionnaire/terminal/styled.py and load
rich only for the result (issue 7). The check runs in a fresh process, since this one has long since
imported rich for other tests.
"""

from __future__ import annotations

import subprocess
import sys

from engine.model import KnowledgeBase
from questionnaire.flow import Questionnaire
from tests.repo import ROOT

CHILD = """
import argparse, sys
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from questionnaire.terminal import menus
from questionnaire.terminal import plain
from questionnaire.terminal import session
from questionnaire.rules_option import knowledge_base
from questionnaire.environment import Environment
from questionnaire.flow import Questionnaire

class Asked(Exception):
    pass

def note_and_stop(self, question, *rest):
    print(question.id, "rich" in sys.modules)
    raise Asked

kb = knowledge_base(argparse.Namespace())
for kind in ("tui", "plain"):  # each front end in turn, in this one fresh process
    env = Environment.captured(stdin="", tty=kind == "tui")
    with create_pipe_input() as keys, create_app_session(input=keys, output=DummyOutput()):
        keys.send_text("\\r")  # the welcome menu: "Start the questions"
        if kind == "tui":
            menus.QuestionaryFrontEnd.ask = note_and_stop
            front = menus.QuestionaryFrontEnd(env)
        else:
            plain.PlainFrontEnd.ask = note_and_stop
            front = plain.PlainFrontEnd(env)
        try:
            session.converse(Questionnaire(kb), front)
        except Asked:
            pass
    assert "muscle-triage" in env.stdout.getvalue(), env.stdout.getvalue()  # welcome drawn
"""


def test_the_first_question_is_asked_before_rich_is_imported(kb: KnowledgeBase) -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    first = Questionnaire(kb).current().id  # type: ignore[union-attr]
    # the arrow-key menus first, then the numbered prompts
    assert done.stdout.split() == [first, "False", first, "False"]
