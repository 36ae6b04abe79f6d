"""explain: everything the knowledge base says about one rule, question, topic, fact or level."""

from __future__ import annotations

import argparse
import json

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from engine.load.crosscheck import did_you_mean
from engine.model import KnowledgeBase
from engine.problems import quote
from questionnaire.commands.common import add_format_argument
from questionnaire.environment import Environment
from questionnaire.exits import Exit
from questionnaire.render.cards import cards_for, known_ids, suggestion
from questionnaire.render.scenario_refs import read_cases
from questionnaire.rules_option import add_rules_argument, knowledge_base, knowledge_base_name

DESCRIPTION = """\
Show what the knowledge base says about one id.

  a rule:      what it needs (its condition in words), what it concludes, why, its sources,
               where it is written, and the scenario cases that expect it to fire or not
  a question:  its text and answers, why and when it is asked, the rules that read it, and the
               scenario cases that answer it
  a reading topic, a derived fact or an urgency level: what offers, concludes or reaches it

With --answers FILE and a rule id: why the rule fired or stayed silent for those answers, as its
condition tree with each part marked held, failed or unknown (not answered, or not asked because
its ask_if was false), down through the rules that derive the facts it needs.

Ids come from 'muscle-triage questions', from the "How we got here" part of a result, or from the
rules/ files; case does not matter. An unknown id exits with status 2 and the closest known id.

examples:
  muscle-triage explain disuse_only
  muscle-triage explain weaker
  muscle-triage explain muscle_change
  muscle-triage explain disuse_only --answers me.yaml --format json"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID",
                        help="a rule, question, reading topic, derived fact or level id")
    parser.add_argument("--answers", metavar="FILE", default=None,
                        help="with a rule id: mark its condition against these answers (YAML or "
                             "JSON, - for standard input)")
    add_format_argument(parser)
    add_rules_argument(parser)


def _line(console: Console, line: str) -> None:
    """One card line; leading spaces indent it, and a '- ' item wraps under its own text."""
    text = line.lstrip(" ")
    indent = 2 + len(line) - len(text)
    if text.startswith("- "):
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=1)
        grid.add_column()
        grid.add_row("-", Text(text[2:]))
        console.print(Padding(grid, (0, 0, 0, indent), expand=False))
    else:
        console.print(Padding(Text(text), (0, 0, 0, indent), expand=False))


def _why_not(args: argparse.Namespace, env: Environment, kb: KnowledgeBase) -> int:
    """--answers: the rule's condition marked against the assessment of those answers."""
    from engine.explain.why_not import why_not
    from engine.run.answers import answers_from_file
    from engine.run.assess import assess
    from questionnaire.render.why_not_view import render_why_not, rule_json

    if args.id not in {rule.id for rule in kb.rules}:
        env.error(f"--answers explains a rule, and '{args.id}' is not one"
                  f"{did_you_mean(args.id, [rule.id for rule in kb.rules])}")
        return Exit.USAGE
    stdin = env.stdin_bytes() if args.answers == "-" else None
    result = assess(kb, answers_from_file(kb, args.answers, stdin))
    marked = why_not(kb, result, args.id)
    if args.format == "json":
        json.dump(rule_json(kb, marked) | {"ignored": list(result.ignored)}, env.stdout,
                  indent=2, ensure_ascii=False)
        env.stdout.write("\n")
    else:
        render_why_not(kb, marked, env.console())
    if result.ignored:
        env.error(f"note: set aside answers to questions that would not be asked: "
                  f"{', '.join(result.ignored)}")
    return Exit.OK


def run(args: argparse.Namespace, env: Environment) -> int:
    kb = knowledge_base(args, env)
    if args.answers is not None:
        return _why_not(args, env, kb)
    if args.format == "json":
        env.error("--format json needs --answers (the cards are text)")
        return Exit.USAGE
    # Ids are lower case; 'ALS' or 'Weaker' is a person typing a name they read, so case is
    # ignored (the shipped ids differ in more than case; an exact id still wins).
    wanted = args.id if args.id in known_ids(kb) else args.id.casefold()
    cards = cards_for(kb, wanted, read_cases(kb))
    if not cards:
        env.error(f"unknown id {quote(args.id)}{suggestion(kb, wanted)}: "
                  f"{knowledge_base_name(args, kb)} has no rule, question, reading topic, "
                  "derived fact or level by that name (see 'muscle-triage questions')")
        return Exit.USAGE
    console = env.console()
    for number, card in enumerate(cards):
        if number:
            console.print()
        console.print(f"[bold]{escape(card.heading)}[/]")
        console.print(f"[dim]{escape(card.where)}[/]")
        for title, lines in card.sections:
            console.print()
            console.print(f"[bold]{escape(title)}[/]")
            for line in lines:
                _line(console, line)
    return Exit.OK
