"""Time of the safety net and of the what-if search per assessment, shipped and at 500 rules.

Run it with::

    uv run python tests/bench/explain_bench.py              # 1,000 sampled sets each
    uv run python tests/bench/explain_bench.py --sets 200   # quicker
    uv run python tests/bench/explain_bench.py --before 60cd200   # also time an older what-if

For each knowledge base it samples reachable answer sets (ask_if respected), assesses each, and
times ``safety_net`` and ``what_if`` on the result: median, 95th percentile and worst, in ms, with
the what-if's evaluations and how often its budget cut a search short. It also times the safety
net with every sign run through all the rules again, the figure engine/explain/rerun.py is
measured against. With ``--before REV`` it also times engine/explain/what_if.py as it was at
that git revision, on the same sets in the same run (each set timed by both in turn, so load on
a shared machine falls on both alike), and checks both found the same sets wherever neither was
cut short. Wall-clock figures on a shared machine are noisy; the load average is printed. The
last line is the figures as JSON.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engine.explain.safety_net import safety_net, sign_changes
from engine.explain.what_if import BUDGET, MAX_CHANGES, what_if
from engine.load.knowledge_base import load_knowledge_base
from engine.model import Assessment, KnowledgeBase
from engine.verify.reference import reference_for
from engine.verify.safety import sample_answers
from tests.bench.synth import write_knowledge_base


def _ms(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = run()
    return (time.perf_counter() - start) * 1000, value


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"median_ms": round(statistics.median(ordered), 3),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
            "worst_ms": round(ordered[-1], 3)}


def _full_rerun_net(kb: KnowledgeBase, result: Assessment) -> int:
    """The safety net's search without rerun.py: every sign through every rule."""
    evaluator = reference_for(kb)
    return sum(evaluator.level_rank(c.answers) > result.level.rank
               for c in sign_changes(kb, result.answers))


def older_what_if(revision: str) -> ModuleType:
    """engine/explain/what_if.py as it was at a git revision, loaded as a module of its own."""
    root = Path(__file__).resolve().parents[2]
    source = subprocess.run(["git", "show", f"{revision}:engine/explain/what_if.py"], cwd=root,
                            capture_output=True, text=True, check=True).stdout
    spec = importlib.util.spec_from_loader("what_if_before", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    exec(compile(source, f"what_if.py@{revision}", "exec"), module.__dict__)
    return module


def _cut_short(found: Any) -> bool:
    return any(not level.all_listed or (level.size is None and level.searched < MAX_CHANGES)
               for level in found.levels)


def _sets(found: Any) -> list[tuple[str, int | None, list[Any]]]:
    """A what-if's answer, comparable across the two modules' classes."""
    return [(level.level.id, level.size,
             sorted(tuple((c.question, c.action, c.value) for c in s.changes)
                    for s in level.sets)) for level in found.levels]


def _what_if_figures(times: list[float], evaluations: list[int], cut: int) -> dict[str, Any]:
    return _summary(times) | {"evaluations_median": statistics.median(evaluations),
                              "evaluations_worst": max(evaluations), "budget": BUDGET,
                              "max_changes": MAX_CHANGES, "searches_cut_short": cut}


def measure(kb: KnowledgeBase, sets: int, seed: int, before: ModuleType | None = None
            ) -> dict[str, Any]:
    rng = random.Random(seed)
    evaluator = reference_for(kb)
    results = [evaluator.assess(sample_answers(kb, rng)) for _ in range(sets)]
    net_times, full_times, what_times, evaluations = [], [], [], []
    old_times: list[float] = []
    old_evaluations: list[int] = []
    cut = old_cut = same = compared = 0
    for result in results:
        net_times.append(_ms(lambda r=result: safety_net(kb, r))[0])
        full_times.append(_ms(lambda r=result: _full_rerun_net(kb, r))[0])
        elapsed, found = _ms(lambda r=result: what_if(kb, r))
        what_times.append(elapsed)
        evaluations.append(found.evaluations)
        cut += _cut_short(found)
        if before is not None:
            elapsed, old = _ms(lambda r=result: before.what_if(kb, r))
            old_times.append(elapsed)
            old_evaluations.append(old.evaluations)
            old_cut += _cut_short(old)
            if not _cut_short(old) and not _cut_short(found):
                compared += 1
                same += _sets(old) == _sets(found)
    figures = {"rules": len(kb.rules), "questions": len(kb.questions), "sets": sets,
               "safety_net": _summary(net_times), "safety_net_full_rerun": _summary(full_times),
               "what_if": _what_if_figures(what_times, evaluations, cut)}
    if before is not None:
        figures["what_if_before"] = _what_if_figures(old_times, old_evaluations, old_cut)
        figures["what_if_same_sets"] = {"compared": compared, "same": same}
    return figures


def _print(name: str, figures: dict[str, Any]) -> None:
    print(f"{name}: {figures['rules']} rules, {figures['questions']} questions, "
          f"{figures['sets']} sampled answer sets")
    for key in ("safety_net", "safety_net_full_rerun", "what_if", "what_if_before"):
        part = figures.get(key)
        if part is None:
            continue
        print(f"  {key:<22} median {part['median_ms']:>9.3f} ms   p95 {part['p95_ms']:>9.3f} ms"
              f"   worst {part['worst_ms']:>10.3f} ms")
    for key in ("what_if", "what_if_before"):
        what = figures.get(key)
        if what is None:
            continue
        print(f"  {key} evaluations: median {what['evaluations_median']}, worst "
              f"{what['evaluations_worst']} (budget {what['budget']}); searches cut short by "
              f"the budget: {what['searches_cut_short']}")
    if "what_if_same_sets" in figures:
        same = figures["what_if_same_sets"]
        print(f"  same sets found by both on {same['same']} of the {same['compared']} answer "
              f"sets neither cut short")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", type=int, default=1000)
    parser.add_argument("--rules", type=int, default=500, help="size of the generated base")
    parser.add_argument("--before", metavar="REV",
                        help="also time engine/explain/what_if.py as it was at this git revision")
    args = parser.parse_args()
    before = older_what_if(args.before) if args.before else None
    print(f"load average: {os.getloadavg()[0]:.2f}")
    figures = {"shipped": measure(load_knowledge_base(), args.sets, seed=1, before=before)}
    _print("shipped", figures["shipped"])
    with tempfile.TemporaryDirectory() as directory:
        generated = load_knowledge_base(write_knowledge_base(Path(directory), args.rules, seed=0))
        figures[f"generated_{args.rules}"] = measure(generated, args.sets, seed=2, before=before)
    _print(f"generated {args.rules}", figures[f"generated_{args.rules}"])
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
