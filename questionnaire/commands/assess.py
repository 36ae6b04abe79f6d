"""assess: the result for a file of answers, without any questions asked."""

from __future__ import annotations

import argparse
import json

from engine.run.answers import answers_from_file
from engine.run.assess import assess
from questionnaire.commands.common import add_force_argument, add_format_argument
from questionnaire.commands.fhir_options import add_fhir_response_arguments, write_fhir_response
from questionnaire.commands.report_options import (
    add_explain_arguments,
    check_report_target,
    explain_extras,
)
from questionnaire.commands.watch_options import add_watch_arguments, watch_printer, watch_refusal
from questionnaire.commands.what_if_options import add_what_if_arguments, what_if_extras
from questionnaire.environment import Environment
from questionnaire.exits import Exit
from questionnaire.render.result import assessment_json, render_assessment
from questionnaire.rules_option import add_rules_argument, knowledge_base

DESCRIPTION = """\
Assess a set of answers given in a file instead of interactively. The file maps question ids to
answers (see 'muscle-triage questions'); a several-of question takes a list; questions left out
are simply unknown. Use - to read the answers from standard input.

example answers.yaml:
  weaker: yes
  onset: over_months
  where_affected: [hands]
  inactivity: []"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--answers", metavar="FILE", required=True,
                        help="YAML or JSON answers file, or - for standard input")
    add_format_argument(parser)
    add_rules_argument(parser)
    add_explain_arguments(parser)
    add_fhir_response_arguments(parser)
    add_force_argument(parser, "a --report or --fhir-response file")
    add_watch_arguments(parser)
    add_what_if_arguments(parser)


def run(args: argparse.Namespace, env: Environment) -> int:
    refusal = watch_refusal(args)
    if refusal:
        env.error(refusal)
        return Exit.USAGE
    check_report_target(args)
    kb = knowledge_base(args, env)
    stdin = env.stdin_bytes() if args.answers == "-" else None
    answers = answers_from_file(kb, args.answers, stdin)
    kb = kb.for_answers(answers)  # every text shown or written speaks of whom it is about
    printer = watch_printer(args, env)
    result = assess(kb, answers, printer)
    if printer:
        printer.finish()
    write_fhir_response(args, kb, result)  # before printing: a refused write prints nothing
    extras = explain_extras(args, env, kb, result)  # writes --report before anything is printed
    if args.format == "json":
        json.dump(assessment_json(kb, result) | extras.json
                  | what_if_extras(args, env, kb, result).json, env.stdout, indent=2,
                  ensure_ascii=False)
        env.stdout.write("\n")
    else:
        render_assessment(kb, result, env.console())
        extras.render()
        what_if_extras(args, env, kb, result)
    if result.ignored:
        env.error(f"note: set aside answers to questions that would not be asked: "
                  f"{', '.join(result.ignored)}")
    return Exit.OK
