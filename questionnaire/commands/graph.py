"""graph: a picture of the rule network, with the path one set of answers fired highlighted."""

from __future__ import annotations

import argparse
from pathlib import Path

from engine.problems import quote
from engine.run.answers import answers_from_file
from engine.run.assess import assess
from questionnaire.environment import Environment
from questionnaire.exits import Exit
from questionnaire.files import shown, write_private
from questionnaire.render.network_picture import (
    GraphvizFailed,
    GraphvizMissing,
    highlight,
    rule_network,
    to_dot,
    to_mermaid,
    to_svg,
)
from questionnaire.render.report import refuse_existing
from questionnaire.rules_option import add_rules_argument, knowledge_base

DESCRIPTION = """\
Draw the knowledge base as a network: questions -> rules -> derived facts -> urgency levels and
reading topics. A dashed 'not' arrow means the rule needs that fact to be absent. With --answers,
the path those answers fired is highlighted: the answers that counted, the rules that fired, the
facts they concluded, and the level and reading they reached.

Formats: mermaid (default; GitHub and many Markdown viewers draw it), dot (Graphviz source) and
svg (drawn by Graphviz's 'dot' program, which must be installed: package 'graphviz'). Without
--format, the suffix of -o picks it (.mmd, .dot or .gv, .svg).

examples:
  muscle-triage graph > rules.mmd
  muscle-triage graph --answers me.yaml --format svg -o my-path.svg"""

FORMATS = ("mermaid", "dot", "svg")
_BY_SUFFIX = {".mmd": "mermaid", ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot",
              ".svg": "svg"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--answers", metavar="FILE",
                        help="highlight the path these answers fire (YAML or JSON; - for stdin)")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="mermaid (default), dot or svg (svg needs Graphviz installed)")
    parser.add_argument("-o", "--output", metavar="FILE", type=Path, default=None,
                        help="write to FILE (readable by you only) instead of standard output")
    parser.add_argument("--force", action="store_true", help="replace the -o file if it exists")
    add_rules_argument(parser)


def _format(args: argparse.Namespace) -> str | None:
    """The format asked for; None when -o has a suffix that names none and --format is absent."""
    if args.format:
        return str(args.format)
    if args.output is not None:
        return _BY_SUFFIX.get(args.output.suffix.lower())
    return "mermaid"


def run(args: argparse.Namespace, env: Environment) -> int:
    chosen = _format(args)
    if chosen is None:
        env.error(f"cannot tell the format from {quote(str(args.output))}; name the file .mmd, "
                  ".dot or .svg, or add --format mermaid|dot|svg")
        return Exit.USAGE
    if args.output is not None:
        refuse_existing(args.output, args.force)  # before any work, not after it
    kb = knowledge_base(args, env)
    graph = rule_network(kb)
    if args.answers:
        stdin = env.stdin_bytes() if args.answers == "-" else None
        answers = answers_from_file(kb, args.answers, stdin)
        graph = highlight(kb, graph, assess(kb, answers))
    if chosen == "svg":
        try:
            text = to_svg(graph)
        except (GraphvizMissing, GraphvizFailed) as exc:
            env.error(str(exc))
            return Exit.FAILED
    else:
        text = to_dot(graph) if chosen == "dot" else to_mermaid(graph)
    if args.output is None:
        env.stdout.write(text)
    else:
        written = write_private(args.output, text, force=args.force)
        env.error(f"{chosen} picture written to {shown(written)}")
    return Exit.OK
