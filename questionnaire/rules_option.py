"""The ``--rules DIR`` option and the knowledge base it names, for every way the tool starts.

The questionnaire (no subcommand) and each subcommand read the same option the same way, so it
lives beside both rather than in either: the terminal session must not reach into the commands.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from engine.model import KnowledgeBase

if TYPE_CHECKING:
    from questionnaire.environment import Environment


def add_rules_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", metavar="DIR", type=Path, default=argparse.SUPPRESS,
                        help="use the knowledge base in DIR instead of the shipped one")


def knowledge_base(args: argparse.Namespace, env: Environment) -> KnowledgeBase:
    """Load the knowledge base named by --rules (raises KnowledgeBaseError with every problem),
    through the environment's loader (tests hand one in that reuses a loaded knowledge base)."""
    return env.knowledge_base(getattr(args, "rules", None))


def knowledge_base_name(args: argparse.Namespace, kb: KnowledgeBase) -> str:
    """The knowledge base in use, in words for messages.

    With --rules, its directory. Otherwise the shipped one by its version, and its folder only
    when that is under the current one (a checkout's rules/, which a person may be editing): an
    installed tool's copy lives deep in site-packages, a path nobody needs to read.
    """
    if getattr(args, "rules", None) is not None:
        return f"the knowledge base in {kb.root}"
    from questionnaire.version import tool_version  # the one version lookup, only when needed

    name = f"the shipped knowledge base (version {tool_version()})"
    return name if Path(kb.root).is_absolute() else f"{name} in {kb.root.rstrip('/')}/"
