"""What can be done once the result is shown: save the answers, show why, write a report, change
an answer, quit.

The menu is a list of EndAction values, so more can be offered (e.g. a full explanation or a
report) by adding to END_ACTIONS before "Quit", without touching the question loop. An action
returns True when the run should end.

Answers and reports hold health information, so the file names offered by default are not in a
git work tree (where `git add .` would pick them up): they are in the current folder outside one,
otherwise in the home folder, and every message names the file with its full path.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from engine.model import Assessment, KnowledgeBase
from questionnaire.files import WriteRefused, write_private
from questionnaire.render.answers_file import answers_yaml
from questionnaire.terminal.frontend import FrontEnd

if TYPE_CHECKING:
    from questionnaire.flow import Questionnaire

DEFAULT_ANSWERS_FILE = "muscle-triage-answers.yaml"
DEFAULT_REPORT_FILE = "muscle-triage-report.html"
IN_A_WORK_TREE = ("This folder is inside a git work tree, where the file could be committed by "
                  "mistake, so your home folder is offered instead.")


def in_git_work_tree(folder: Path) -> bool:
    """Whether ``folder`` or a folder above it holds `.git` (a directory, or a worktree's file)."""
    return any((place / ".git").exists() for place in (folder, *folder.parents))


def default_file(front: FrontEnd, name: str) -> str:
    """Where ``name`` is offered: the current folder, or home when that is in a git work tree
    (which is then said, so the person knows where the file goes and why)."""
    here = Path.cwd()
    if not in_git_work_tree(here):
        return str(here / name)
    front.console.print(IN_A_WORK_TREE, markup=False)
    return str(Path.home() / name)


def full_path(name: str) -> Path:
    """A typed file name as the absolute path it will be written to (~ expanded)."""
    return Path(os.path.abspath(Path(name).expanduser()))


@dataclass
class Finished:
    """A finished questionnaire: what the end actions work on, and what they did."""

    kb: KnowledgeBase
    assessment: Assessment
    #: Files written at the person's request, for the goodbye (and the interrupt) message.
    saved: list[Path] = field(default_factory=list)
    #: The walk that gave the result, and how to ask its questions again and show a fresh
    #: result; without them (a result not from the questions) "Change an answer" is not offered.
    run: Questionnaire | None = None
    again: Callable[[], Assessment] | None = None
    #: The command that shows a saved result again, as the person started the tool (e.g.
    #: `uv run muscle-triage assess`); the answers file's option is added to it.
    replay: str = "muscle-triage assess"


def _always(done: Finished) -> bool:
    return True


@dataclass(frozen=True)
class EndAction:
    label: str
    run: Callable[[FrontEnd, Finished], bool]
    #: Whether the action makes sense for this result (the menu leaves it out otherwise).
    offered: Callable[[Finished], bool] = _always


def may_replace(front: FrontEnd, path: Path, declined: str) -> bool | None:
    """Whether to replace ``path``: False when it is new, True on a yes, None (said) on a no."""
    if not path.exists() or path.is_dir():
        return False
    if front.confirm(f"{path} already exists. Replace it?"):
        return True
    front.console.print(declined, markup=False)
    return None


def save_answers(front: FrontEnd, done: Finished) -> bool:
    """Ask for a file name and write the answers there (mode 0600, replacing only on a yes)."""
    name = front.ask_text("Save the answers to which file?",
                          default_file(front, DEFAULT_ANSWERS_FILE))
    path = full_path(name)
    replace = may_replace(front, path, "Not saved.")
    if replace is None:
        return False
    try:
        write_private(path, answers_yaml(done.assessment.answers, str(path), replay=done.replay),
                      force=replace)
    except WriteRefused as exc:
        front.console.print(f"Not saved: {exc}.", markup=False)
        return False
    done.saved.append(path)
    # Lines holding a path or a command are never broken by us, so they can be copied whole.
    front.console.print(f"Saved the answers to {path} (readable only by you).", markup=False,
                        soft_wrap=True)
    front.console.print("To see this result again, type:", markup=False)
    front.console.print(f"  {done.replay} --answers {shlex.quote(str(path))}", markup=False,
                        soft_wrap=True)
    return False


def show_why(front: FrontEnd, done: Finished) -> bool:
    """Print the explanation tree (plain text whenever the console has no colour)."""
    from questionnaire.render.why_tree import render_explanation  # only when asked for

    front.console.print()
    render_explanation(done.kb, done.assessment, front.console)
    front.console.print()
    return False


def write_report_action(front: FrontEnd, done: Finished) -> bool:
    """Ask for a file name, then write the report there (mode 0600, replacing only on a yes)."""
    from questionnaire.render.report import report_format, write_report  # only when asked for

    name = front.ask_text("Write the report to which file (.html or .md)?",
                          default_file(front, DEFAULT_REPORT_FILE))
    path = full_path(name)
    try:
        report_format(path)
    except ValueError as exc:
        front.console.print(f"Not written: {exc}.", markup=False)
        return False
    replace = may_replace(front, path, "Not written.")
    if replace is None:
        return False
    try:
        write_report(done.kb, done.assessment, path, force=replace)
    except WriteRefused as exc:
        front.console.print(f"Not written: {exc}.", markup=False)
        return False
    done.saved.append(path)
    front.console.print(f"Wrote the report to {path} (readable only by you).", markup=False,
                        soft_wrap=True)
    front.console.print("Take it to your appointment, with your own questions added.",
                        markup=False)
    return False


KEEP_ANSWERS = "Keep my answers (back to the menu)"


def change_answer(front: FrontEnd, done: Finished) -> bool:
    """Pick an answered question, answer it again, keep the rest, and show a fresh result.

    This is what makes a hasty Enter mendable: the cursor of a warning-sign question starts on
    "Yes" (over-triage is the safer mistake), and one Enter there ends the questions at the
    highest level; from here the person goes back to that question with nothing else lost.
    """
    from questionnaire.render.summary import shorten  # the result is drawn: rich is loaded

    run, again = done.run, done.again
    if run is None or again is None:
        return False
    answered = [run.kb.question(question_id) for question_id in run.answers]
    labels = [f"{shorten(question.text, 60).rstrip(':')} — "
              f"{question.answer_text(run.answers[question.id])}" for question in answered]
    index = front.choose("Which answer would you like to change?", [*labels, KEEP_ANSWERS])
    if index == len(answered):
        return False
    run.change_from(answered[index].id)
    front.console.print("Answer it again. Your other answers are kept: only questions that now "
                        "apply are added.", markup=False)
    done.assessment = again()
    return False


def quit_run(front: FrontEnd, done: Finished) -> bool:
    return True


END_ACTIONS: list[EndAction] = [
    EndAction("Save my answers to a file", save_answers),
    EndAction("Show why: the reasoning step by step", show_why),
    EndAction("Write a report for the doctor (.html or .md)", write_report_action),
    EndAction("Change an answer", change_answer,
              offered=lambda done: done.run is not None and bool(done.run.answers)),
    EndAction("Quit", quit_run),
]


def end_menu(front: FrontEnd, done: Finished, actions: list[EndAction] | None = None) -> None:
    """Offer the end actions until one ends the run; end of input here simply ends it."""
    while True:
        offered = [action for action in actions or END_ACTIONS if action.offered(done)]
        try:
            index = front.choose("What next?", [action.label for action in offered])
        except EOFError:  # a piped run that gave only its answers: the result is complete
            return
        if offered[index].run(front, done):
            return
