"""The subcommands, listed here by name and one-line help; each lives in its own module.

A module holds DESCRIPTION, add_arguments(parser) and run(args, env). Modules are imported only
when their command is chosen (or its --help asked for), so starting the questionnaire, or any
one command, does not pay for importing all the others.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import NamedTuple


class Command(NamedTuple):
    """A subcommand: its name and help for the parser, and the module imported only if chosen."""

    name: str
    help: str
    module: str

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)


def _command(name: str, help: str) -> Command:
    return Command(name, help, f"questionnaire.commands.{name.replace('-', '_')}")


COMMANDS: tuple[Command, ...] = (
    _command("check", "validate the knowledge base (schema and cross-references)"),
    _command("questions", "list the questions, their answers and why each is asked"),
    _command("assess", "assess a file of answers (YAML or JSON) and print the result"),
    _command("test", "run scenario files and report rule coverage"),
    _command("explain", "explain one rule, question, reading topic, derived fact or level by "
                        "its id"),
    _command("graph", "draw the rule network (Mermaid, Graphviz DOT or SVG), optionally with a "
                      "fired path"),
    _command("demo", "teaching mode: watch the rule engine reason through a named example"),
    _command("export", "write the question bank as a FHIR R4 Questionnaire (JSON)"),
    _command("init-rules", "copy the shipped knowledge base into DIR, to start your own"),
    _command("serve", "the questionnaire, rule network and demos in the browser (a local web "
                      "app)"),
)
