"""Side by side: the load stage of this tree against an earlier commit, in one run.

Run it with::

    uv run python tests/bench/load_stage.py                 # against main
    uv run python tests/bench/load_stage.py --against REV --runs 20

The earlier commit is unpacked with ``git archive`` into a scratch directory. Each figure comes
from fresh processes (imports are part of what a start pays), alternating between the two trees,
each first in turn, so a busy machine slows both alike; the median of the runs is printed.
Bytecode for both trees goes to one scratch cache (PYTHONPYCACHEPREFIX), filled by a first,
uncounted run of each.

  load_knowledge_base  import the loader, then one call on the shipped knowledge base (ms, in the
                       process): what every start pays before its first question; then the CPU
                       time it took, which a busy machine disturbs less than the wall time
  build+cross-check    steps 3 and 4 of the load stage alone, on documents read once (ms, the
                       median of 50 in one process)
  check                ``python -m questionnaire check``, wall time of the whole process (ms),
                       then the CPU time (user + system) of that process
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = tempfile.mkdtemp(prefix="load-stage-pycache-")

LOAD = """
import time
start, cpu = time.perf_counter(), time.process_time()
from engine.load.knowledge_base import load_knowledge_base
load_knowledge_base()
print((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000)
"""

#: Steps 3 and 4 alone (build, cross-check, the versions per audience), on documents read once,
#: in one process: the part this change rewrote, timed 50 times (median). Before it, the loader
#: cross-checked the raw documents, then built the versions from them.
CHECK_AND_BUILD = """
import statistics, time
from engine.load.knowledge_base import read_documents
from engine.load.paths import shipped_rules_dir
from engine.load.crosscheck import cross_reference_problems
docs, _ = read_documents(shipped_rules_dir())
try:
    from engine.load.build import build
    from engine.load.knowledge_base import knowledge_bases
    def stage():
        draft = build(docs, "rules")
        assert not cross_reference_problems(draft)
        knowledge_bases(draft)
except ImportError:
    from engine.load.knowledge_base import build as old_build
    def stage():
        assert not cross_reference_problems(docs)
        old_build(docs, "rules")
times = []
for _ in range(50):
    start = time.perf_counter()
    stage()
    times.append((time.perf_counter() - start) * 1000)
print(statistics.median(times))
"""


def _env(tree: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONPYCACHEPREFIX": CACHE}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def load_ms(tree: Path) -> tuple[float, float]:
    """Wall and CPU time of importing the loader and loading the shipped knowledge base."""
    out = subprocess.run([sys.executable, "-c", LOAD], cwd=tree, env=_env(tree), check=True,
                         capture_output=True, text=True).stdout
    wall, cpu = out.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def stage_ms(tree: Path) -> float:
    out = subprocess.run([sys.executable, "-c", CHECK_AND_BUILD], cwd=tree, env=_env(tree),
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def check_ms(tree: Path) -> tuple[float, float]:
    """Wall time of ``check``, and the CPU time (user + system) its process used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "questionnaire", "check"], cwd=tree, env=_env(tree),
                   check=True, capture_output=True)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


FIGURES = ("load_knowledge_base", "  its CPU time", "build+cross-check", "check",
           "  its CPU time ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", default="main", help="the earlier commit (default: main)")
    parser.add_argument("--runs", type=int, default=20, help="fresh processes per figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        before = Path(scratch)
        archive = subprocess.run(["git", "archive", args.against], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
        trees = {args.against: before, "this tree": ROOT}
        figures: dict[str, dict[str, list[float]]] = {
            name: {figure: [] for figure in FIGURES} for name in trees}
        for tree in trees.values():  # fill the bytecode cache
            load_ms(tree)
            check_ms(tree)
        for run in range(args.runs):
            for name, tree in sorted(trees.items(), reverse=run % 2 == 1):  # each goes first
                measured = (*load_ms(tree), stage_ms(tree), *check_ms(tree))
                for figure, value in zip(FIGURES, measured, strict=True):
                    figures[name][figure].append(value)
    shutil.rmtree(CACHE, ignore_errors=True)
    print(f"median of {args.runs} fresh processes each (ms)")
    print(f"{'':<22}" + "".join(f"{name:>14}" for name in trees))
    for figure in FIGURES:
        medians = [statistics.median(figures[name][figure]) for name in trees]
        print(f"{figure:<22}" + "".join(f"{value:>14.1f}" for value in medians))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
