"""demo: run a named teaching case with the engine's steps on screen."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from engine.load.crosscheck import did_you_mean
from questionnaire.environment import Environment
from questionnaire.exits import Exit
from questionnaire.rules_option import add_rules_argument, knowledge_base

if TYPE_CHECKING:
    from engine.verify.scenarios import Case

DESCRIPTION = """\
Run one of the teaching cases shipped with the knowledge base and watch forward chaining happen:
every fact asserted, every rule put on the agenda (and why), every rule fired (and why it came
first), every rule that could fire no longer. Each demo starts with a paragraph saying what to
watch for. With no NAME, the demos are listed.

Demos are scenario cases with a 'teach' key in rules/*.scenarios.yaml; with --rules DIR, the
demos in DIR are used.

examples:
  muscle-triage demo                 list the demos
  muscle-triage demo rule_chain      run one
  muscle-triage demo not_blocks --step
                                     pause after each firing: Enter for the next, q to finish"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", nargs="?", help="the demo to run (omit to list)")
    parser.add_argument("--step", action="store_true",
                        help="pause after each firing until Enter (q then Enter runs to the end)")
    add_rules_argument(parser)


def _list(demos: tuple[Case, ...], env: Environment) -> None:
    width = max((len(demo.id) for demo in demos), default=0)
    env.stdout.write("Teaching demos (run one with: muscle-triage demo NAME):\n")
    for demo in demos:
        title = demo.teach.title if demo.teach else ""
        env.stdout.write(f"  {demo.id:<{width}}  {title}\n")


def _introduce(demo: Case, env: Environment) -> None:
    from rich.markup import escape

    console = env.console()
    if demo.teach:
        console.print(f"[bold]{escape(demo.teach.title)}[/]")
        console.print(" ".join(demo.teach.introduction.split()), markup=False)
    console.print()
    answers = ", ".join(f"{key}={value if isinstance(value, str) else '[' + ', '.join(value) + ']'}"
                        for key, value in demo.answers.items())
    console.print(f"The answers: {answers}", markup=False)
    console.print()


def run(args: argparse.Namespace, env: Environment) -> int:
    from engine.verify.demos import load_demos
    from questionnaire.render.result import render_assessment
    from questionnaire.render.watch_view import WatchPrinter, watched_assessment

    kb = knowledge_base(args, env)
    demos = load_demos(kb, getattr(args, "rules", None))
    if not demos:
        env.error("this knowledge base has no demos (scenario cases with a 'teach' key)")
        return Exit.USAGE if args.name else Exit.OK
    if args.name is None:
        _list(demos, env)
        return Exit.OK
    chosen = next((demo for demo in demos if demo.id == args.name), None)
    if chosen is None:
        env.error(f"no demo named '{args.name}'{did_you_mean(args.name, [d.id for d in demos])}; "
                  f"'muscle-triage demo' lists them")
        return Exit.USAGE
    _introduce(chosen, env)
    printer = WatchPrinter(env, step=args.step, keys=env.stdin if args.step else None)
    result = watched_assessment(kb, chosen.answers, printer)
    render_assessment(kb.for_answers(chosen.answers), result, env.console())
    return Exit.OK
