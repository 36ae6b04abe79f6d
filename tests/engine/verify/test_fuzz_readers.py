"""Fuzzing the rule loader and the answers reader through the real command line.

Every input must end in success or in a clear message (file and line, or question and allowed
values) with exit 1 or 2, in bounded time, never a traceback. The suite runs a few inputs with a
fixed seed; ``uv run python -m tests.fuzz.campaign`` runs thousands (see tests/fuzz/runs.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.load.knowledge_base import load_knowledge_base
from engine.load.paths import shipped_rules_dir
from engine.model import KnowledgeBase
from tests.fuzz import properties
from tests.fuzz.runs import FUZZ
from tests.fuzz.strategies import answers_file_input, rule_file_input

ANSWERS = "weaker: yes\nonset: over_weeks\ninactivity: [cast]\n"


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the shipped knowledge base, one file of which each input replaces."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(shipped_rules_dir(), root / "rules",
                    ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    (root / "answers.yaml").write_text(ANSWERS, encoding="utf-8")
    with properties.reuse_unchanged_files(shipped_rules_dir()):
        yield root


@cache
def shipped_kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.mark.slow
@FUZZ
@given(case=rule_file_input())
def test_fuzzed_rule_file_gets_file_and_line_or_loads(fuzz_dir: Path,
                                                       case: tuple[str, bytes]) -> None:
    name, content = case
    rules = fuzz_dir / "rules"
    original = (rules / name).read_bytes()
    (rules / name).write_bytes(content)
    try:
        properties.check_rules_input(rules, fuzz_dir / "answers.yaml")
    finally:
        (rules / name).write_bytes(original)


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_fuzzed_answers_file_names_file_line_or_question(fuzz_dir: Path,
                                                         data: st.DataObject) -> None:
    kb = shipped_kb()
    suffix, content = data.draw(answers_file_input(kb))
    fmt = data.draw(st.sampled_from(["text", "json"]))
    if data.draw(st.booleans()):
        properties.check_answers_input(["assess", "--answers", "-", "--format", fmt], content,
                                       "<stdin>", kb)
        return
    path = fuzz_dir / f"answers{suffix}"
    path.write_bytes(content)
    try:
        properties.check_answers_input(["assess", "--answers", str(path), "--format", fmt],
                                       b"", str(path), kb)
    finally:
        path.unlink()
