"""Placeholder until the interactive questionnaire lands: explain how to use the tool today."""

from __future__ import annotations

import argparse

from questionnaire.environment import Environment
from questionnaire.exits import Exit


def run_interactive(args: argparse.Namespace, env: Environment) -> int:
    from questionnaire.cli import build_parser

    build_parser().print_help(env.stdout)
    return Exit.OK
