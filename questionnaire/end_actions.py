"""End-menu actions for the interactive questionnaire: show why, and write a report.

Each has the signature of ``questionnaire.ending.EndAction.run`` and returns False (the menu
stays open). Offering them is two entries in ``questionnaire.ending.END_ACTIONS``, before "Quit":

    EndAction("Show why: the reasoning step by step", show_why),
    EndAction("Write a report for the doctor (.md or .html)", write_report_action),
"""

from __future__ import annotations

from pathlib import Path

from questionnaire.ending import Finished
from questionnaire.explanation import render_explanation
from questionnaire.files import WriteRefused
from questionnaire.frontend import FrontEnd
from questionnaire.report import report_format, write_report

DEFAULT_REPORT_FILE = "muscle-triage-report.html"


def show_why(front: FrontEnd, done: Finished) -> bool:
    """Print the explanation tree (plain text whenever the console has no colour)."""
    front.console.print()
    render_explanation(done.kb, done.assessment, front.console)
    front.console.print()
    return False


def write_report_action(front: FrontEnd, done: Finished) -> bool:
    """Ask for a file name, then write the report there (mode 0600, replacing only on a yes)."""
    name = front.ask_text("Write the report to which file (.html or .md)?", DEFAULT_REPORT_FILE)
    path = Path(name).expanduser()
    try:
        report_format(path)
    except ValueError as exc:
        front.console.print(f"Not written: {exc}.", markup=False)
        return False
    replace = False
    if path.exists() and not path.is_dir():
        replace = front.confirm(f"{path} already exists. Replace it?")
        if not replace:
            front.console.print("Not written.", markup=False)
            return False
    try:
        write_report(done.kb, done.assessment, path, force=replace)
    except WriteRefused as exc:
        front.console.print(f"Not written: {exc}.", markup=False)
        return False
    done.saved.append(path)
    front.console.print(f"Wrote the report to {path} (readable only by you). Take it to your "
                        "appointment, with your own questions added.", markup=False)
    return False
