"""check: validate a knowledge base and list every problem at once."""

from __future__ import annotations

import argparse

from engine.load.knowledge_base import load_knowledge_base
from engine.problems import KnowledgeBaseError
from questionnaire.environment import Environment
from questionnaire.exits import Exit
from questionnaire.rules_option import add_rules_argument, knowledge_base_name

DESCRIPTION = """\
Validate every file of a knowledge base against its JSON Schema, then check names across files:
unknown or misspelt questions, answer values, facts, reading topics, levels and sources; duplicate
ids; questions no rule reads; red flags not asked first. Then the safety promises, proved from
the rules' structure: every red flag's "yes" reaches its raises_to level by itself, and the floor
in levels.yaml cannot be broken. Every problem is listed at once as FILE:LINE: SUBJECT: MESSAGE,
and the exit status is 1 when there is any.

A valid knowledge base also gets its reading grade: the mean Flesch-Kincaid grade of its reader
texts against the plain-language bar, and the hardest texts with FILE:LINE (the test suite fails
above the bar; here it is a report)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_rules_argument(parser)


def run(args: argparse.Namespace, env: Environment) -> int:
    kb = load_knowledge_base(getattr(args, "rules", None))  # problems are reported by the CLI
    # Only here (and in `test --coverage`): the proof costs ~1 ms, but importing it ~75 ms, too
    # much for every start of the questionnaire.
    from engine.verify.safety import safety_problems

    problems = safety_problems(kb)
    if problems:
        raise KnowledgeBaseError(problems)
    print(f"OK: {knowledge_base_name(args, kb)}: {len(kb.questions)} questions, "
          f"{len(kb.rules)} rules, {len(kb.reading)} reading topics, {len(kb.levels)} levels, "
          f"{len(kb.sources)} sources", file=env.stdout)
    from engine.load.reading_grade import grade_knowledge_base, summary_lines  # check only

    for line in summary_lines(grade_knowledge_base(kb), root=kb.root):
        print(line, file=env.stdout)
    return Exit.OK
