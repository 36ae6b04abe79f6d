"""Subcommands, one module each: NAME, HELP, DESCRIPTION, add_arguments(parser), run(args, env)."""

from __future__ import annotations

from types import ModuleType

from questionnaire.commands import assess, check, export, init_rules, questions, test

COMMANDS: tuple[ModuleType, ...] = (check, questions, assess, test, export, init_rules)
