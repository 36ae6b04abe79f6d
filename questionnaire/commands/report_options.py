"""The --explain and --report options of `assess`, kept out of the command module.

`assess` adds these options and calls explain_extras after assessing; everything about
explanations and reports stays here, so the command itself changes by a few lines only.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.model import Assessment, KnowledgeBase
from questionnaire.environment import Environment
from questionnaire.render.report import REPORT_FORMATS, refuse_existing, report_format, write_report
from questionnaire.render.why_tree import explanation_json, render_explanation


def check_report_target(args: argparse.Namespace) -> None:
    """Refuse an existing --report file before any work is done (unless --force)."""
    report: Path | None = getattr(args, "report", None)
    if report is not None:
        refuse_existing(report, bool(getattr(args, "force", False)))


def _report_path(text: str) -> Path:
    """argparse type for --report: the suffix picks the format, anything else is refused."""
    path = Path(text)
    try:
        report_format(path)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return path


def add_explain_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--explain", action="store_true",
                        help="also show why: a tree from the urgency and each reading topic down "
                             "through the rules that fired to the answers that made them fire")
    suffixes = " or ".join(f".{s}" for s in REPORT_FORMATS)
    parser.add_argument("--report", metavar="FILE", type=_report_path, default=None,
                        help=f"also write a report to take to a doctor ({suffixes}; the suffix "
                             "picks the format); created readable by you only")


@dataclass
class Extras:
    """What --explain and --report add to the output of `assess`."""

    json: dict[str, Any] = field(default_factory=dict)
    render: Callable[[], None] = lambda: None


def explain_extras(args: argparse.Namespace, env: Environment, kb: KnowledgeBase,
                   assessment: Assessment) -> Extras:
    """Write the report (if asked) and return what --explain adds to the text or JSON output."""
    report: Path | None = getattr(args, "report", None)
    if report is not None:
        written = write_report(kb, assessment, report, force=bool(getattr(args, "force", False)))
        env.error(f"report written to {written} (readable by you only)")
    extras = Extras()
    if getattr(args, "explain", False):
        extras.json = {"explanation": explanation_json(kb, assessment)}

        def render() -> None:
            console = env.console()
            console.print()
            render_explanation(kb, assessment, console)

        extras.render = render
    return extras
