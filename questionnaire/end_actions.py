"""End-menu actions for the interactive questionnaire: show why, and write a report.

Each has the signature of ``questionnaire.ending.EndAction.run`` and returns False, so the menu
stays open; ``questionnaire.ending.END_ACTIONS`` offers them before "Quit".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from questionnaire.files import WriteRefused

if TYPE_CHECKING:  # ending.py imports this module to build its menu
    from questionnaire.ending import Finished
    from questionnaire.frontend import FrontEnd

DEFAULT_REPORT_FILE = "muscle-triage-report.html"


def show_why(front: FrontEnd, done: Finished) -> bool:
    """Print the explanation tree (plain text whenever the console has no colour)."""
    from questionnaire.explanation import render_explanation  # only when asked for

    front.console.print()
    render_explanation(done.kb, done.assessment, front.console)
    front.console.print()
    return False


def write_report_action(front: FrontEnd, done: Finished) -> bool:
    """Ask for a file name, then write the report there (mode 0600, replacing only on a yes)."""
    from questionnaire.report import report_format, write_report  # only when asked for

    name = front.ask_text("Write the report to which file (.html or .md)?", DEFAULT_REPORT_FILE)
    path = Path(name).expanduser()
    try:
        report_format(path)
    except ValueError as exc:
        front.console.print(f"Not written: {exc}.", markup=False)
        return False
    from questionnaire.ending import may_replace

    replace = may_replace(front, path, "Not written.")
    if replace is None:
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
