"""Shared fixtures: the shipped knowledge base, an in-process CLI, and editable KB copies; and
which tests pytest-xdist must keep on one worker."""

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

#: Test files whose module- or session-scoped fixtures are costly: a server and a headless
#: Chromium (10-25 s to start), built and installed distributions (a build and two installs:
#: 40-60 s). Handed out test by test, both of xdist's workers would run some of their tests and
#: each build the fixtures; these files go to one worker whole instead.
ONE_WORKER = ("tests/questionnaire/web/test_browser.py", "tests/questionnaire/web/test_wcag22.py",
              "tests/questionnaire/test_packaging.py")


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """pytest-xdist's scope scheduling with a scope per test, except one per ONE_WORKER file.

    The `xdist_group` mark would say the same, but xdist 3.8 applies it by rewriting a node id
    that pytest 9.2 no longer takes (the groups silently vanish), so the grouping lives here.
    Larger scopes are handed out first (xdist's own scope ordering), so the two long files start
    at once rather than at the end. `-n 0` and `--dist each` are left alone."""
    if config.getvalue("dist") not in ("load", "loadgroup", "loadscope", "worksteal"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerPerCostlyFile(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path in ONE_WORKER else nodeid

    return OneWorkerPerCostlyFile(config, log)  # type: ignore[arg-type]


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
