"""Flags several subcommands share (the ``--rules`` option is in questionnaire/rules_option.py)."""

from __future__ import annotations

import argparse


def add_force_argument(parser: argparse.ArgumentParser, files: str) -> None:
    """--force, once per command however many of its options write files."""
    parser.add_argument("--force", action="store_true", help=f"replace {files} if it exists")


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for people (default), json for programs")
