"""questions: print the question bank, in asking order."""

from __future__ import annotations

import argparse
import json

from questionnaire.commands.common import add_format_argument
from questionnaire.environment import Environment
from questionnaire.exits import Exit
from questionnaire.rules_option import add_rules_argument, knowledge_base

DESCRIPTION = """\
List the question bank in the order it is asked (red flags first): each question's id, text,
allowed answers, the condition under which it is asked, and why it is asked. A text worded by
audience is shown in every wording, each led by whom it is for ([self], [adult, child], [baby]).
The ids and answer values are what an answers file for 'assess' uses."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_format_argument(parser)
    add_rules_argument(parser)


def run(args: argparse.Namespace, env: Environment) -> int:
    from questionnaire.render.result import question_json, render_questions  # rich: only when used

    kb = knowledge_base(args, env)
    if args.format == "json":
        json.dump([question_json(q, kb) for q in kb.questions], env.stdout, indent=2,
                  ensure_ascii=False)
        env.stdout.write("\n")
    else:
        render_questions(kb, env.console())
    return Exit.OK
