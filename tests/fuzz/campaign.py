"""A long fuzz campaign: thousands of inputs for each reader, then what they ended in.

    uv run python -m tests.fuzz.campaign [--examples 10000] [--reader rules|answers|both]

Runs the suite's fuzz tests (tests/engine/verify/test_fuzz_readers.py) with new random inputs
instead of the suite's few
fixed ones. It stops at the first input that breaks a property and prints it (with a
``@reproduce_failure`` line); otherwise it prints how many inputs each reader got, how each kind
of input ended, the slowest single run and the peak memory of the process.

As in the suite, unchanged shipped files are parsed once (see properties.reuse_unchanged_files).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--reader", choices=("rules", "answers", "both"), default="both")
    parser.add_argument("--no-assess", action="store_true",
                        help="do not also compile and assess each rule input that checks (faster)")
    args = parser.parse_args()
    os.environ["MUSCLE_TRIAGE_FUZZ_EXAMPLES"] = str(args.examples)

    from engine.load.paths import shipped_rules_dir
    from tests import test_fuzz
    from tests.fuzz import properties
    from tests.fuzz.properties import SLOWEST, reuse_unchanged_files
    from tests.fuzz.runs import OUTCOMES

    properties.ASSESS_WHAT_LOADS[0] = not args.no_assess

    def progress() -> None:
        while True:
            time.sleep(60)
            print(f"... {_inputs(args.reader, OUTCOMES)} inputs so far", file=sys.stderr,
                  flush=True)

    threading.Thread(target=progress, daemon=True).start()
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        shutil.copytree(shipped_rules_dir(), root / "rules",
                        ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
        (root / "answers.yaml").write_text(test_fuzz.ANSWERS, encoding="utf-8")
        if args.reader in ("answers", "both"):
            started = time.perf_counter()
            test_fuzz.test_fuzzed_answers_file_names_file_line_or_question(fuzz_dir=root)
            _report("answers", OUTCOMES, time.perf_counter() - started)
        if args.reader in ("rules", "both"):
            started = time.perf_counter()
            with reuse_unchanged_files(shipped_rules_dir()):
                test_fuzz.test_fuzzed_rule_file_gets_file_and_line_or_loads(fuzz_dir=root)
            _report("rules", OUTCOMES, time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"slowest single run: {SLOWEST[0]:.2f} s; peak memory of the process: {peak:.0f} MiB")


def _inputs(reader: str, outcomes: Any) -> int:
    """Inputs tried so far (a rule input can end in several problems, counted apart)."""
    answers = sum(count for kind, count in outcomes.items() if kind.startswith("answers"))
    rules = outcomes.get("rules: exit 0", 0) + outcomes.get("rules: inputs ending in exit 1", 0)
    return {"answers": answers, "rules": rules}.get(reader, answers + rules)


def _report(reader: str, outcomes: Any, seconds: float) -> None:
    mine = {kind: count for kind, count in outcomes.items() if kind.startswith(reader)}
    runs = _inputs(reader, outcomes)
    print(f"\n{reader}: {runs} inputs in {seconds:.0f} s, every one ended calmly")
    for kind, count in sorted(mine.items(), key=lambda item: -item[1])[:25]:
        print(f"  {count:6d}  {kind}")


if __name__ == "__main__":
    main()
