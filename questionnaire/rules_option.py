"""The ``--rules DIR`` option and the knowledge base it names, for every way the tool starts.

The questionnaire (no subcommand) and each subcommand read the same option the same way, so it
lives beside both rather than in either: the terminal session must not reach into the commands.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.load.knowledge_base import load_knowledge_base
from engine.model import KnowledgeBase


def add_rules_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", metavar="DIR", type=Path, default=argparse.SUPPRESS,
                        help="use the knowledge base in DIR instead of the shipped one")


def knowledge_base(args: argparse.Namespace) -> KnowledgeBase:
    """Load the knowledge base named by --rules (raises KnowledgeBaseError with every problem)."""
    return load_knowledge_base(getattr(args, "rules", None))
