"""The muscle-triage command line: argument parsing, dispatch, and every error turned into words.

Errors the user can cause (a broken rule file, a bad answers file, Ctrl-C, a closed pipe) are
handled here in one place, each with its own exit code, so no traceback ever reaches the user.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from engine.load.yaml_reader import YamlError
from engine.problems import KnowledgeBaseError
from engine.run.answers import AnswerError
from questionnaire.commands import COMMANDS, Command
from questionnaire.environment import Environment
from questionnaire.exits import Exit
from questionnaire.files import InterruptedAfterWriting, WriteRefused
from questionnaire.version import tool_version

PROG = "muscle-triage"
DESCRIPTION = """\
An educational questionnaire about muscle wasting. You answer questions about what you notice;
a rule engine turns the answers into "see a doctor" guidance at an urgency level, reading about
the subject, and the reasoning behind both. It never gives a diagnosis.

With no command, the questionnaire starts. In an emergency, do not use this tool: call your local
emergency number now."""
EPILOG = """\
examples:
  muscle-triage                              answer the questionnaire
  muscle-triage --plain                      numbered prompts, no colour (screen readers, pipes)
  muscle-triage questions                    see every question and why it is asked
  muscle-triage assess --answers me.yaml     assess answers saved in a file
  muscle-triage demo                         teaching mode: watch the rule engine reason
  muscle-triage check --rules my-rules/      validate your own knowledge base
  muscle-triage init-rules my-rules/         start your own from a copy of the shipped one
  muscle-triage export fhir -o q.json        the questions as a FHIR R4 Questionnaire

exit status: 0 ok, 1 knowledge base problems, 2 bad command line or input, 130 interrupted.
Colour is off when NO_COLOR is set, with --no-color, or when output is not a terminal."""


class _Parser(argparse.ArgumentParser):
    """argparse that writes to our Environment and reports usage errors through our error path."""

    output: TextIO | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)  # '--answer' must not silently mean '--answers'
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{message}\n(try '{self.prog} --help')")

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            (self.output or sys.stdout).write(message)


class _UsageError(Exception):
    pass


class _VersionAction(argparse.Action):
    """--version, looking the version up only when asked (not on every start)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        parser._print_message(f"{parser.prog} {tool_version()}\n")
        parser.exit()


class _CommandParser(_Parser):
    """One command's parser, given that command's options the first time argparse uses it.

    argparse itself picks the command from the command line (no second reading of its grammar)
    and then hands the rest to this parser; only then is the command's module imported. So
    starting the questionnaire, or any one command, does not import the other commands' modules
    (importing all nine took about 260 ms, tests/bench/run.py's machine), while `--help` still
    lists them all by name and one-line help.
    """

    command: Command | None = None

    def _load(self) -> None:
        command, self.command = self.command, None
        if command is None:
            return
        module = command.load()
        self.description = module.DESCRIPTION
        self.add_argument("--no-color", action="store_true", default=argparse.SUPPRESS,
                          help="never use colour")
        module.add_arguments(self)
        self.set_defaults(handler=module.run)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        self._load()
        return super().parse_known_args(args, namespace)

    def format_help(self) -> str:
        self._load()
        return super().format_help()


def build_parser() -> argparse.ArgumentParser:
    """The parser: the questionnaire's options, and each command by name and one-line help."""
    parser = _Parser(prog=PROG, description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--rules", metavar="DIR", type=Path, default=None,
                        help="use the knowledge base in DIR instead of the shipped one")
    parser.add_argument("--plain", action="store_true",
                        help="numbered line prompts: no arrow keys, colour or boxes (automatic "
                             "when input or output is not a terminal)")
    parser.add_argument("--no-color", action="store_true", help="never use colour")
    parser.add_argument("--watch", action="store_true",
                        help="teaching mode: before the result, show the rule engine's steps "
                             "on your answers (see also 'muscle-triage demo')")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands",
                                       parser_class=_CommandParser)
    for command in COMMANDS:
        sub = subparsers.add_parser(command.name, help=command.help,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.command = command
    return parser


def _interactive(args: argparse.Namespace, env: Environment) -> int:
    from questionnaire.terminal.session import run_interactive

    return run_interactive(args, env)


def run(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    """Run the CLI; return the exit status. Never raises for anything a user can cause."""
    env = env or Environment.from_system()
    _Parser.output = env.stdout
    try:
        try:
            args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
        except _UsageError as exc:
            env.error(str(exc))
            return Exit.USAGE
        except SystemExit as exc:  # --help and --version print and exit 0
            return int(exc.code or 0)
        env.no_color_flag = bool(getattr(args, "no_color", False))
        handler = getattr(args, "handler", _interactive)
        return int(handler(args, env))
    except KnowledgeBaseError as exc:
        for problem in exc.problems:
            print(problem, file=env.stderr)
        count = len(exc.problems)
        env.error(f"the knowledge base has {count} problem{'s' if count != 1 else ''}")
        return Exit.FAILED
    except (AnswerError, YamlError, WriteRefused) as exc:
        env.error(str(exc))
        return Exit.USAGE
    except InterruptedAfterWriting as stop:  # Ctrl-C as a requested file was finished
        print(f"\nStopped. {stop.note}", file=env.stderr)
        return Exit.INTERRUPTED
    except KeyboardInterrupt:
        print("\nStopped. Nothing was saved.", file=env.stderr)
        return Exit.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `| head -1`): stop quietly, and keep Python from
        # complaining about the closed pipe when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return Exit.BROKEN_PIPE


def main() -> None:
    code = run()
    try:  # what is still buffered goes out now, while a closed pipe can still be handled
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = Exit.BROKEN_PIPE
    sys.exit(code)
