"""Subcommands, one module each: NAME, HELP, DESCRIPTION, add_arguments(parser), run(args, env)."""

from __future__ import annotations

from types import ModuleType

from questionnaire.commands import (
    assess,
    check,
    demo,
    explain,
    export,
    graph,
    init_rules,
    questions,
    test,
)

COMMANDS: tuple[ModuleType, ...] = (check, questions, assess, test, explain, graph, demo, export,
                                    init_rules)
