"""What can be done once the result is shown: save the answers, show why, write a report, quit.

The menu is a list of EndAction values, so more can be offered (e.g. a full explanation or a
report) by adding to END_ACTIONS before "Quit", without touching the question loop. An action
returns True when the run should end.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from engine.model import Assessment, KnowledgeBase
from questionnaire.files import WriteRefused, existing, shown, write_private
from questionnaire.render.answers_file import answers_yaml
from questionnaire.terminal.frontend import FrontEnd

DEFAULT_ANSWERS_FILE = "muscle-triage-answers.yaml"
DEFAULT_REPORT_FILE = "muscle-triage-report.html"


@dataclass
class Finished:
    """A finished questionnaire: what the end actions work on, and what they did."""

    kb: KnowledgeBase
    assessment: Assessment
    #: Files written at the person's request, for the goodbye (and the interrupt) message.
    saved: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class EndAction:
    label: str
    run: Callable[[FrontEnd, Finished], bool]


def _as_path(name: str) -> Path:
    """A typed file name as a path, ``~`` expanded where there is a home to expand it to."""
    try:
        return Path(name).expanduser()
    except RuntimeError:  # '~someone' with no such user
        return Path(name)


def may_replace(front: FrontEnd, path: Path, declined: str) -> bool | None:
    """Whether to replace ``path``: False when it is new, True on a yes, None (said) on a no."""
    try:
        found = existing(path)
    except WriteRefused:  # e.g. a directory on the way that cannot be searched: the write says
        return False
    if found is None or stat.S_ISDIR(found.st_mode):
        return False
    if front.confirm(f"{shown(path)} already exists. Replace it?"):
        return True
    front.console.print(declined, markup=False)
    return None


def save_answers(front: FrontEnd, done: Finished) -> bool:
    """Ask for a file name and write the answers there (mode 0600, replacing only on a yes)."""
    name = front.ask_text("Save the answers to which file?", DEFAULT_ANSWERS_FILE)
    path = _as_path(name)
    replace = may_replace(front, path, "Not saved.")
    if replace is None:
        return False
    try:
        write_private(path, answers_yaml(done.assessment.answers, str(path)), force=replace)
    except WriteRefused as exc:
        front.console.print(f"Not saved: {exc}.", markup=False)
        return False
    done.saved.append(path)
    front.console.print(f"Saved the answers to {shown(path)} (readable only by you). To see "
                        f"this result again: muscle-triage assess --answers {shown(path)}",
                        markup=False)
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

    name = front.ask_text("Write the report to which file (.html or .md)?", DEFAULT_REPORT_FILE)
    path = _as_path(name)
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
    front.console.print(f"Wrote the report to {shown(path)} (readable only by you). Take it to "
                        "your appointment, with your own questions added.", markup=False)
    return False


def quit_run(front: FrontEnd, done: Finished) -> bool:
    return True


END_ACTIONS: list[EndAction] = [
    EndAction("Save my answers to a file", save_answers),
    EndAction("Show why: the reasoning step by step", show_why),
    EndAction("Write a report for the doctor (.html or .md)", write_report_action),
    EndAction("Quit", quit_run),
]


def end_menu(front: FrontEnd, done: Finished, actions: list[EndAction] | None = None) -> None:
    """Offer the end actions until one ends the run; end of input here simply ends it."""
    actions = actions or END_ACTIONS
    while True:
        try:
            index = front.choose("What next?", [action.label for action in actions])
        except EOFError:  # a piped run that gave only its answers: the result is complete
            return
        if actions[index].run(front, done):
            return
