"""test: run scenario files ("given these answers, expect this") without touching pytest."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from engine.load.knowledge_base import load_knowledge_base
from engine.load.paths import shipped_rules_dir
from engine.model import KnowledgeBase
from engine.verify.safety import answer_space_size, prove
from engine.verify.scenarios import Outcome, coverage, load_cases, run_case, scenario_files
from questionnaire.environment import Environment
from questionnaire.exits import Exit
from questionnaire.rules_option import add_rules_argument

DESCRIPTION = """\
Run scenarios: YAML files of named cases, each giving answers and what to expect (urgency exact or
bounded, rules that fire or stay silent, reading offered or not). With no PATHS, runs every
*.scenarios.yaml beside the rules. Prints each failure with expected vs got and what fired, then
a summary line; exits 1 when any case fails. A case marked `xfail: reason` is a known gap: it does
not fail the run, but is reported when it starts to pass.

--coverage adds a table of rules (in how many cases each fired and stayed silent) and questions
(which rules read them, how many cases answer them), and the safety proof: whether the rule
structure proves that red flags reach their level and that one more "yes" never lowers the
urgency. Uncovered rules or questions, or an incomplete proof, make the exit status 1."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", type=Path,
                        help="scenario files (default: *.scenarios.yaml in the rules directory)")
    parser.add_argument("--coverage", action="store_true",
                        help="also report rule and question coverage and the safety proof")
    add_rules_argument(parser)


def _report_failure(console: Console, outcome: Outcome) -> None:
    case = outcome.case
    label = "XPASS" if outcome.status == "xpassed" else "FAIL"
    console.print(f"[bold red]{label}[/] {escape(case.name)} [dim]({case.where})[/]")
    for failure in outcome.failures:
        console.print(f"    {escape(failure)}")
    fired = ", ".join(sorted(outcome.assessment.fired)) or "nothing"
    console.print(f"    [dim]fired: {escape(fired)}[/]")
    console.print(f"    [dim]urgency: {outcome.assessment.level.id}; reading: "
                  f"{escape(', '.join(i.id for i in outcome.assessment.reading) or 'none')}[/]")


def _report_coverage(console: Console, kb: KnowledgeBase, outcomes: list[Outcome]) -> bool:
    table = coverage(kb, outcomes)
    console.print()
    console.print("[bold]Rules[/]: cases where each fired / stayed silent")
    for rule in kb.rules:
        fired, silent = table.fired_in[rule.id], table.silent_in[rule.id]
        mark = "" if fired and silent else "  [bold red]<- uncovered[/]"
        console.print(f"  {rule.id:<40} fired {fired:>3}  silent {silent:>3}{mark}")
    console.print()
    console.print("[bold]Questions[/]: cases that answer each / rules that read it")
    for question in kb.questions:
        count = table.answered_in[question.id]
        opening = question.id in kb.opening  # needs no rule: it words texts, decides asking
        readers = ", ".join(table.read_by[question.id]) or (
            "no rule (an opening question)" if opening else "no rule")
        read = bool(table.read_by[question.id]) or opening
        mark = "" if count and read else "  [bold red]<- uncovered[/]"
        console.print(f"  {question.id:<32} answered {count:>3}  read by {escape(readers)}{mark}")
    proof = prove(kb)
    console.print()
    console.print(f"[bold]Safety[/]: reachable answer sets: {answer_space_size(kb):.3g}")
    console.print(f"  red flags proved to reach their level: {len(proof.red_flags_proved)} of "
                  f"{len(proof.red_flags_proved) + len(proof.red_flags_unproved)}")
    raising = len(proof.monotone_proved) + len({q for q, _ in proof.monotone_unproved})
    console.print(f"  questions proved monotonic (one more yes never lowers the urgency): "
                  f"{len(proof.monotone_proved)} of {raising}")
    for question_id, rule_id in proof.monotone_unproved:
        console.print(f"    [bold red]unproved[/]: '{question_id}' may stop rule '{rule_id}'")
    for question_id in proof.red_flags_unproved:
        console.print(f"    [bold red]unproved[/]: red flag '{question_id}'")
    uncovered = table.uncovered_rules or table.unanswered_questions
    return not uncovered and proof.complete


def run(args: argparse.Namespace, env: Environment) -> int:
    rules_dir = getattr(args, "rules", None)
    kb = load_knowledge_base(rules_dir)
    paths = args.paths or scenario_files(rules_dir or shipped_rules_dir())
    cases = load_cases(kb, paths)
    outcomes = [run_case(kb, case) for case in cases]
    console = env.console()
    for outcome in outcomes:
        if not outcome.ok:
            _report_failure(console, outcome)
    covered = _report_coverage(console, kb, outcomes) if args.coverage else True
    passed = sum(o.status == "passed" for o in outcomes)
    failed = sum(not o.ok for o in outcomes)
    xfailed = sum(o.status == "xfailed" for o in outcomes)
    summary = f"{passed} passed, {failed} failed"
    if xfailed:
        summary += f", {xfailed} xfailed"
    if failed or args.coverage:
        console.print()
    console.print(summary)
    if not cases:
        env.error("no scenario cases found")
        return Exit.FAILED
    return Exit.OK if not failed and covered else Exit.FAILED
