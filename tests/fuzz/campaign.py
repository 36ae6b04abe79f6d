"""A long fuzz campaign: thousands of inputs for each reader, then what they ended in.

    uv run python -m tests.fuzz.campaign [--examples 10000] [--reader rules|answers|both]

Runs the suite's fuzz tests (tests/test_fuzz.py) with new random inputs instead of the suite's few
fixed ones. It stops at the first input that breaks a property and prints it (with a
``@reproduce_failure`` line); otherwise it prints how many inputs each reader got, how each kind
of input ended, the slowest single run and the peak memory of the process.

To spend the time on the file being fuzzed, the rule campaign parses and schema-checks each
unchanged shipped file once and reuses the result (only when its bytes are exactly the shipped
ones); the fuzzed file is always read, parsed and checked afresh, and cross-file checks always run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _cache_unchanged_files(shipped: Path) -> Callable[[], None]:
    """Reuse parses of byte-identical shipped files; return a function that undoes it."""
    import engine.loader as loader
    from engine.yamlio import parse_bytes, read_limited

    originals = {path.name: path.read_bytes() for path in shipped.glob("*.yaml")}
    parsed: dict[tuple[str, str], Any] = {}
    real = loader.read_yaml

    def read_yaml(path: Path, display: str | None = None) -> Any:
        shown = display or str(path)
        raw = read_limited(path, shown)
        if originals.get(path.name) != raw:
            return parse_bytes(raw, shown)
        if (path.name, shown) not in parsed:
            parsed[(path.name, shown)] = parse_bytes(raw, shown)
        return parsed[(path.name, shown)]

    checked: dict[int, Any] = {}
    real_schema = loader.schema_problems

    def schema_problems(kind: str, document: Any, path: str) -> Any:
        if not any(document is doc for doc in parsed.values()):
            return real_schema(kind, document, path)
        if id(document) not in checked:
            checked[id(document)] = real_schema(kind, document, path)
        return checked[id(document)]

    loader.read_yaml = read_yaml  # type: ignore[assignment]
    loader.schema_problems = schema_problems  # type: ignore[assignment]

    def undo() -> None:
        loader.read_yaml = real  # type: ignore[assignment]
        loader.schema_problems = real_schema  # type: ignore[assignment]

    return undo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--reader", choices=("rules", "answers", "both"), default="both")
    args = parser.parse_args()
    os.environ["MUSCLE_TRIAGE_FUZZ_EXAMPLES"] = str(args.examples)

    import pytest

    from engine.paths import shipped_rules_dir
    from tests import test_fuzz
    from tests.fuzz.properties import SLOWEST
    from tests.fuzz.runs import OUTCOMES

    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        shutil.copytree(shipped_rules_dir(), root / "rules",
                        ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
        (root / "answers.yaml").write_text(test_fuzz.ANSWERS, encoding="utf-8")
        if args.reader in ("answers", "both"):
            started = time.perf_counter()
            with pytest.MonkeyPatch.context() as patch:
                import questionnaire.commands.common as common

                real = common.load_knowledge_base
                patch.setattr(common, "load_knowledge_base",
                              lambda r=None: test_fuzz.shipped_kb() if r is None else real(r))
                test_fuzz.test_fuzzed_answers_file_names_file_line_or_question(fuzz_dir=root)
            _report("answers", OUTCOMES, time.perf_counter() - started)
        if args.reader in ("rules", "both"):
            started = time.perf_counter()
            undo = _cache_unchanged_files(shipped_rules_dir())
            try:
                test_fuzz.test_fuzzed_rule_file_gets_file_and_line_or_loads(fuzz_dir=root)
            finally:
                undo()
            _report("rules", OUTCOMES, time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"slowest single run: {SLOWEST[0]:.2f} s; peak memory of the process: {peak:.0f} MiB")


def _report(reader: str, outcomes: Any, seconds: float) -> None:
    mine = {kind: count for kind, count in outcomes.items() if kind.startswith(reader)}
    runs = sum(count for kind, count in mine.items()
               if kind.endswith("exit 0") or reader == "answers")
    if reader == "rules":
        runs = outcomes.get("rules: exit 0", 0) + outcomes.get("rules: inputs ending in exit 1", 0)
    print(f"\n{reader}: {runs} inputs in {seconds:.0f} s, every one ended calmly")
    for kind, count in sorted(mine.items(), key=lambda item: -item[1])[:25]:
        print(f"  {count:6d}  {kind}")


if __name__ == "__main__":
    main()
