"""The --what-if option of `assess`, kept out of the command module (like report_options)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

from engine.model import Assessment, KnowledgeBase
from questionnaire.environment import Environment


def add_what_if_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--what-if", action="store_true",
                        help="for teaching: also list, for each other urgency level, the fewest "
                             "answer changes that reach it and the rules that would then fire")


@dataclass
class WhatIfExtras:
    """What --what-if adds to the text or JSON output of `assess`."""

    json: dict[str, Any] = field(default_factory=dict)
    shown: bool = False


def what_if_extras(args: argparse.Namespace, env: Environment, kb: KnowledgeBase,
                   assessment: Assessment) -> WhatIfExtras:
    """Search once; print the text (when asked for text) or hand back the JSON part."""
    if not getattr(args, "what_if", False):
        return WhatIfExtras()
    from engine.explain.what_if import MAX_CHANGES, what_if
    from questionnaire.render.what_if_view import render_what_if, what_if_json

    found = what_if(kb, assessment)
    if args.format == "json":
        return WhatIfExtras({"what_if": what_if_json(found, MAX_CHANGES)}, True)
    console = env.console()
    console.print()
    render_what_if(kb, dict(assessment.answers), found, console, MAX_CHANGES)
    return WhatIfExtras(shown=True)
