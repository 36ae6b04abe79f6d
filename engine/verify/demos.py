"""Teaching demos: the scenario cases that carry a ``teach`` key, ready to run and watch.

Demos live in the knowledge base beside the rules, as ordinary scenario cases in
``*.scenarios.yaml`` (read by engine/verify/scenarios.py): the same answers and ``expect`` the
scenario
runner checks, plus a title and an introduction saying what to watch for. So a demo is tested
like any scenario, and an author who changes a rule sees at once which lesson changes with it.
"""

from __future__ import annotations

from pathlib import Path

from engine.load.paths import shipped_rules_dir
from engine.load.wording_lint import diagnostic_wording
from engine.model import KnowledgeBase
from engine.problems import KnowledgeBaseError, Problem
from engine.verify.scenarios import Case, load_cases, scenario_files


def load_demos(kb: KnowledgeBase, root: Path | None = None) -> tuple[Case, ...]:
    """Every case with a ``teach`` key under ``root``, in file order; demo names are case ids."""
    demos = [case for case in load_cases(kb, scenario_files(root or shipped_rules_dir()))
             if case.teach is not None]
    first: dict[str, Case] = {}
    problems = []
    for demo in demos:
        assert demo.teach is not None
        for text in (demo.teach.title, demo.teach.introduction):  # shown to a class: no diagnosis
            problems += [Problem(demo.path, demo.line, f"case '{demo.id}'",
                                 f"wording: {finding}: rephrase as a description of the engine")
                         for finding in diagnostic_wording(text, "teach")]
        if demo.id in first:
            other = first[demo.id]
            problems.append(Problem(demo.path, demo.line, f"case '{demo.id}'",
                                    f"a demo is named by its case id, and '{demo.id}' is "
                                    f"already a demo at {other.where}"))
        first.setdefault(demo.id, demo)
    if problems:
        raise KnowledgeBaseError(problems)
    return tuple(demos)
