"""Flags several subcommands share (the ``--rules`` option is in questionnaire/rules_option.py)."""

from __future__ import annotations

import argparse


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for people (default), json for programs")
