"""Teaching demos: the scenario cases that carry a ``teach`` key, ready to run and watch.

Demos live in the knowledge base beside the rules, as ordinary scenario cases in
``*.scenarios.yaml`` (format: rules/schemas/scenarios.schema.json): the same answers and
``expect`` a scenario runner checks, plus a title and an introduction saying what to watch for.
Keeping them there means a demo is tested like any scenario, and an author who changes a rule
sees at once which lesson it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.answers import AnswerError, normalise_answers
from engine.model import AnswerValue, KnowledgeBase, Where
from engine.paths import display_path, shipped_rules_dir
from engine.problems import KnowledgeBaseError, Problem
from engine.schemas import schema_problems
from engine.yamlio import YamlError, read_yaml

SCENARIOS_SUFFIX = ".scenarios.yaml"


@dataclass(frozen=True)
class Demo:
    """One teaching case: answers to run, and what the class should watch for."""

    id: str
    title: str
    introduction: str
    answers: dict[str, AnswerValue]
    where: Where


def scenario_files(root: Path) -> list[Path]:
    return sorted(root.glob(f"*{SCENARIOS_SUFFIX}"))


def _demos_in(kb: KnowledgeBase, path: Path) -> tuple[list[Demo], list[Problem]]:
    shown = display_path(path)
    try:
        data = read_yaml(path, shown)
    except YamlError as exc:
        return [], [Problem(exc.path, exc.line, "", exc.message)]
    problems = schema_problems("scenarios", data, shown)
    if problems:
        return [], problems
    demos: list[Demo] = []
    for position, case in enumerate(data["cases"]):
        if "teach" not in case:
            continue
        line = data["cases"].item_lines[position]
        raw: Any = case["answers"]
        try:
            answers = normalise_answers(kb, raw)
        except AnswerError as exc:  # point at the answer itself when it is named
            key_lines = getattr(raw, "key_lines", {})
            where = key_lines.get(exc.question, line) if exc.question else line
            problems.append(Problem(shown, where, f"case '{case['id']}'", str(exc)))
            continue
        teach = case["teach"]
        demos.append(Demo(case["id"], teach["title"].strip(),
                          " ".join(teach["introduction"].split()), answers, Where(shown, line)))
    return demos, problems


def load_demos(kb: KnowledgeBase, root: Path | None = None) -> tuple[Demo, ...]:
    """Every demo in the knowledge base at ``root``, in file order; KnowledgeBaseError if broken."""
    demos: list[Demo] = []
    problems: list[Problem] = []
    for path in scenario_files(root or shipped_rules_dir()):
        found, wrong = _demos_in(kb, path)
        demos += found
        problems += wrong
    seen: dict[str, Demo] = {}
    for demo in demos:
        if demo.id in seen:
            first = seen[demo.id].where
            problems.append(Problem(demo.where.path, demo.where.line, f"case '{demo.id}'",
                                    f"a demo with this id is already in {first.path}:"
                                    f"{first.line}"))
        seen[demo.id] = demo
    if problems:
        raise KnowledgeBaseError(problems)
    return tuple(demos)
