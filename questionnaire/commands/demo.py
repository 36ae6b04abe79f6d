"""demo: run a named teaching case with the engine's steps on screen."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from engine.load.crosscheck import did_you_mean
from engine.problems import quote
from questionnaire.environment import Environment
from questionnaire.exits import Exit
from questionnaire.rules_option import add_rules_argument, knowledge_base

if TYPE_CHECKING:
    from engine.model import Assessment, KnowledgeBase
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
                                     pause after each firing: Enter for the next, q to finish
  muscle-triage demo rule_chain --what-if inactivity=cast
                                     run it twice, the second time with that answer, and show
                                     what changed: activations, firings and the result
                                     (several-of answers: a,b; QUESTION= withdraws an answer)
  muscle-triage demo not_blocks --why-not
                                     after the run, the rules that stayed silent, each with
                                     the parts of its condition that held it back
  muscle-triage demo not_blocks --why-not disuse_only
                                     after the run, that rule's condition as a tree, each part
                                     marked held, failed or unknown (works with --step too)"""

#: --why-not with no RULE: list every silent rule.
ALL_SILENT = ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", nargs="?", help="the demo to run (omit to list)")
    parser.add_argument("--step", action="store_true",
                        help="pause after each firing until Enter (q then Enter runs to the end)")
    parser.add_argument("--what-if", metavar="QUESTION=VALUE", action="append", default=[],
                        type=_change, help="run the demo again with this answer changed and show "
                        "the difference in the engine's events (repeatable)")
    parser.add_argument("--why-not", metavar="RULE", action="append", nargs="?",
                        const=ALL_SILENT, default=[],
                        help="after the run, why rules stayed silent: alone, every silent rule "
                        "with what held it back; with a RULE, its condition tree marked held, "
                        "failed or unknown (repeatable)")
    add_rules_argument(parser)


def _change(text: str) -> tuple[str, str]:
    """argparse type for --what-if: QUESTION=VALUE, checked against the questions later."""
    question, equals, value = text.partition("=")
    if not equals or not question.strip():
        raise argparse.ArgumentTypeError(f"'{text}' is not QUESTION=VALUE, e.g. weaker=yes")
    return question.strip(), value.strip()


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
        hint = did_you_mean(args.name, [d.id for d in demos])
        env.error(f"no demo named {quote(args.name)}{hint}; 'muscle-triage demo' lists them")
        return Exit.USAGE
    rules = [name for name in args.why_not if name != ALL_SILENT]
    unknown = [name for name in rules if not any(rule.id == name for rule in kb.rules)]
    if unknown:
        env.error(f"--why-not needs a rule id, and {quote(unknown[0])} is not one"
                  f"{did_you_mean(unknown[0], [rule.id for rule in kb.rules])}")
        return Exit.USAGE
    if args.what_if:
        if args.why_not:
            env.error("--why-not and --what-if each end a demo with a view of their own: "
                      "use one at a time")
            return Exit.USAGE
        _what_if(kb, chosen, args.what_if, env)
        return Exit.OK
    _introduce(chosen, env)
    printer = WatchPrinter(env, step=args.step, keys=env.stdin if args.step else None)
    result = watched_assessment(kb, chosen.answers, printer)
    render_assessment(kb.for_answers(chosen.answers), result, env.console())
    if args.why_not:
        _why_not(kb, chosen, result, args.why_not, env)
    return Exit.OK


def _why_not(kb: KnowledgeBase, demo: Case, result: Assessment, wanted: list[str],
             env: Environment) -> None:
    """After the run: the silent rules listed (``--why-not``) and each named rule's tree."""
    from engine.explain.why_not import why_not
    from questionnaire.render.why_not_view import render_silent, render_why_not

    console = env.console()
    for name in dict.fromkeys(wanted):
        console.print()
        if name == ALL_SILENT:
            render_silent(kb, result, console, f"muscle-triage demo {demo.id} --why-not RULE")
        else:
            render_why_not(kb, why_not(kb, result, name), console)


def _what_if(kb: KnowledgeBase, demo: Case, changes: list[tuple[str, str]],
             env: Environment) -> None:
    """Run the demo as written and with the changes, collecting the engine's events of each."""
    from engine.run.answers import normalise_answers
    from engine.run.assess import assess
    from engine.run.watch import Event
    from engine.run.watch_diff import diff_runs
    from questionnaire.render.watch_diff_view import render_run_diff

    raw: dict[str, object] = {}
    for question, value in changes:
        several = kb.has_question(question) and kb.question(question).kind == "several_of"
        raw[question] = ([v.strip() for v in value.split(",") if v.strip()] if several
                         else value or None)
    changed = dict(demo.answers)
    for question, value in normalise_answers(kb, raw).items():
        changed[question] = value
    for question, value in raw.items():
        if value is None:
            changed.pop(question, None)
    before_events: list[Event] = []
    after_events: list[Event] = []
    before = assess(kb, demo.answers, before_events.append)
    after = assess(kb, changed, after_events.append)
    _introduce(demo, env)
    shown = ", ".join(f"{q}={v}" if v else f"{q} unanswered" for q, v in changes)
    render_run_diff(diff_runs(before_events, after_events), before, after, shown, env.console())
