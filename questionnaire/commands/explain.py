"""explain: everything the knowledge base says about one rule, question, topic, fact or level."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

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

Ids come from 'muscle-triage questions', from the "How we got here" part of a result, or from the
rules/ files; case does not matter. An unknown id exits with status 2 and the closest known id.

examples:
  muscle-triage explain disuse_only
  muscle-triage explain weaker
  muscle-triage explain muscle_change"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", metavar="ID",
                        help="a rule, question, reading topic, derived fact or level id")
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


def run(args: argparse.Namespace, env: Environment) -> int:
    kb = knowledge_base(args, env)
    # Ids are lower case; 'ALS' or 'Weaker' is a person typing a name they read, so case is
    # ignored (the shipped ids differ in more than case; an exact id still wins).
    wanted = args.id if args.id in known_ids(kb) else args.id.casefold()
    cards = cards_for(kb, wanted, read_cases(kb))
    if not cards:
        env.error(f"unknown id '{args.id}'{suggestion(kb, wanted)}: "
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
