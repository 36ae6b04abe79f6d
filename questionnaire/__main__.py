"""The program's front door: start the command line, calmly even when Ctrl-C comes during
start-up (`muscle-triage`, `python -m questionnaire`).

Importing the command line loads the rule engine and the YAML and JSON Schema libraries, which
takes a noticeable moment; a Ctrl-C in that moment would otherwise print the traceback of an
import. ``questionnaire.cli.run`` handles Ctrl-C from then on.
"""

from __future__ import annotations

import sys

from questionnaire.exits import Exit

STOPPED = "\nStopped. Nothing was saved.\n"


def main() -> None:
    try:
        from questionnaire.cli import main as run_command_line

        run_command_line()
    except KeyboardInterrupt:  # before or after the command line's own handler is in place
        sys.stderr.write(STOPPED)
        sys.exit(Exit.INTERRUPTED)


if __name__ == "__main__":
    main()
