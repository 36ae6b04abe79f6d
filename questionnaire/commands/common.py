"""Pieces several subcommands share: loading the knowledge base and format flags."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.model import KnowledgeBase
from questionnaire.environment import Environment


def add_rules_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", metavar="DIR", type=Path, default=argparse.SUPPRESS,
                        help="use the knowledge base in DIR instead of the shipped one")


def add_force_argument(parser: argparse.ArgumentParser, files: str) -> None:
    """--force, once per command however many of its options write files."""
    parser.add_argument("--force", action="store_true", help=f"replace {files} if it exists")


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for people (default), json for programs")


def knowledge_base(args: argparse.Namespace, env: Environment) -> KnowledgeBase:
    """Load the knowledge base named by --rules (raises KnowledgeBaseError with every problem)."""
    return env.knowledge_base(getattr(args, "rules", None))
