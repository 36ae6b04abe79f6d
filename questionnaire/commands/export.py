"""export: the question bank in a format other software reads (today: HL7 FHIR R4)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from questionnaire.commands.common import add_force_argument
from questionnaire.environment import Environment
from questionnaire.exits import Exit
from questionnaire.files import write_private
from questionnaire.render.fhir import questionnaire
from questionnaire.rules_option import add_rules_argument, knowledge_base

DESCRIPTION = """\
Write the question bank for other software. 'fhir' gives an HL7 FHIR R4 Questionnaire in JSON:
one item per question (linkId = question id), answers as codes of this tool's own code systems
(no clinical codes), several-of questions as repeating items, and each question's 'asked if'
condition as enableWhen where FHIR can express it. Where it cannot (a 'not', a derived fact), the
item says so and a note is printed on standard error. The resource is marked draft and
experimental: it is for teaching and testing, not for clinical use.

examples:
  muscle-triage export fhir > questionnaire.json
  muscle-triage export fhir -o questionnaire.json --rules my-rules/"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("format", choices=("fhir",), metavar="FORMAT",
                        help="the format; today only fhir (HL7 FHIR R4, JSON)")
    parser.add_argument("-o", "--output", metavar="FILE", type=Path, default=None,
                        help="write to FILE (owner-only permissions) instead of standard output")
    add_force_argument(parser, "FILE")
    add_rules_argument(parser)


def run(args: argparse.Namespace, env: Environment) -> int:
    kb = knowledge_base(args, env)
    export = questionnaire(kb)
    text = json.dumps(export.resource, indent=2, ensure_ascii=False) + "\n"
    for note in export.notes:
        env.error(f"note: {note}")
    if args.output is None:
        env.stdout.write(text)
    else:
        write_private(args.output, text, force=args.force)
        env.error(f"wrote {args.output}: FHIR R4 Questionnaire, "
                  f"{len(export.resource['item'])} questions")
    return Exit.OK
