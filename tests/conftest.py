"""Shared fixtures: the shipped knowledge base, an in-process CLI, and editable KB copies."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from engine.load.knowledge_base import load_knowledge_base
from engine.load.paths import shipped_rules_dir
from engine.model import KnowledgeBase
from questionnaire.cli import run
from questionnaire.environment import Environment, Loader


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*argv: str, stdin: str = "", environ: dict[str, str] | None = None,
            tty: bool = False, loader: Loader | None = None) -> CliResult:
    env = Environment.captured(stdin=stdin, environ=environ, tty=tty, loader=loader)
    code = run(list(argv), env)
    return CliResult(code, env.stdout.getvalue(), env.stderr.getvalue())  # type: ignore[attr-defined]


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    return run_cli


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped knowledge base that a test may break."""
    target = tmp_path / "rules"
    shutil.copytree(shipped_rules_dir(), target,
                    ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    return target


def replace_in(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace text in a file; return the 1-based line of the first replacement."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


def reusing(kb: KnowledgeBase) -> Loader:
    """A loader that hands back ``kb`` for the shipped knowledge base and reads any --rules DIR
    for real: for tests about something other than loading, which run the CLI many times
    (loading, with its schema and wording checks, takes about half a second and is tested on
    its own)."""
    def load(root: Path | None) -> KnowledgeBase:
        return kb if root is None else load_knowledge_base(root)

    return load


@pytest.fixture
def cli_kb(kb: KnowledgeBase) -> Callable[..., CliResult]:
    """run_cli with the session's shipped knowledge base passed in, loaded once."""
    return partial(run_cli, loader=reusing(kb))
