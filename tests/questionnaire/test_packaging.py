"""The built distributions: what they carry, and that the wheel installs and runs outside the
checkout with `uv tool install` and with a plain `pip install` into a new venv.

One `uv build` per test session makes the sdist and then the wheel *from the sdist*, so a wheel
that works also proves the sdist is complete. The installs use PyPI through the normal caches of
uv and pip; both installs run at once. On the shared 2-core development machine these tests take
35-45 s (most of it pip resolving against PyPI and the first, uncompiled start of each installed
tool). They run in every `uv run pytest` on purpose: nothing else checks that the tool people
install works.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.load.paths import shipped_rules_dir
from tests.repo import ROOT

#: Builds distributions and installs them into new environments: tens of seconds.
pytestmark = pytest.mark.slow

EMERGENCY_ANSWERS = "sudden_one_sided: yes\nweaker: yes\n"


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")  # `uv run` sets UV to its own binary
    assert found, "uv is needed to build and install the wheel (see README: Two commands)"
    return found


def _clean_environ(**extra: str) -> dict[str, str]:
    """The environment of a person's shell: no trace of this checkout's virtual environment, and
    bytecode cached as Python does by default, so the installed tool's first run compiles what it
    imports and its later runs start from the cache (this file: 25.1 -> 23.7 s of user CPU)."""
    environ = {key: value for key, value in os.environ.items()
               if key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT",
                              "UV_RUN_RECURSION_DEPTH", "PYTHONDONTWRITEBYTECODE"}}
    environ["NO_COLOR"] = "1"
    environ.update(extra)
    return environ


def _run(argv: Sequence[str | Path], cwd: Path, stdin: str | None = None,
         environ: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(part) for part in argv], cwd=cwd, input=stdin, text=True,
                          capture_output=True, env=environ or _clean_environ(), timeout=300,
                          check=False)


def _ok(argv: Sequence[str | Path], cwd: Path, environ: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    result = _run(argv, cwd, environ=environ)
    assert result.returncode == 0, f"{argv} failed:\n{result.stdout}\n{result.stderr}"
    return result


@dataclass(frozen=True)
class Dist:
    sdist: Path
    wheel: Path


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    out = tmp_path_factory.mktemp("dist")
    # sdist, then the wheel from it; the build hook is imported from the checkout: no
    # __pycache__ left there
    _ok([_uv(), "build", "--out-dir", out, ROOT], cwd=out,
        environ=_clean_environ(PYTHONDONTWRITEBYTECODE="1"))
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Dist(sdist, wheel)


def _shipped_names() -> set[str]:
    root = shipped_rules_dir()
    return {path.relative_to(root).as_posix() for path in
            [*root.glob("*.yaml"), *(root / "schemas").glob("*.json")]}


def test_wheel_carries_the_knowledge_base_under_its_own_name(dist: Dist) -> None:
    names = set(zipfile.ZipFile(dist.wheel).namelist())
    carried = {name.removeprefix("muscle_triage_rules/") for name in names
               if name.startswith("muscle_triage_rules/")}
    assert _shipped_names() <= carried
    assert "__init__.py" in carried  # a regular package, so resources.files() is a directory
    assert not any(name.startswith("rules/") for name in names), \
        "the wheel must not claim the top-level name `rules` (PyPI's django-rules)"
    assert {"engine/load/paths.py", "questionnaire/cli.py"} <= names
    assert {"questionnaire/web/templates/question.html", "questionnaire/web/static/site.css"
            } <= names  # `serve` needs its templates and stylesheet in an installed tool
    assert not any("__pycache__" in name or name.startswith("tests/") for name in names)


def test_sdist_carries_the_knowledge_base_and_the_build_hook(dist: Dist) -> None:
    with tarfile.open(dist.sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        names = {name.removeprefix(f"{top}/") for name in archive.getnames()}
    assert {f"rules/{name}" for name in _shipped_names()} <= names
    assert {"hatch_build.py", "pyproject.toml", "README.md", "rules/__init__.py"} <= names


def test_a_checkout_reads_its_own_rules_directory() -> None:
    """`uv run` in a checkout uses rules/ as it is on disk: edits there show at once."""
    assert shipped_rules_dir() == ROOT / "rules"


def _exercise(tool: Path, workdir: Path) -> None:
    """What a person does first with an installed tool, from a directory outside the checkout."""
    check = _ok([tool, "check"], workdir)
    # the installed copy, named by its version rather than by a path deep in site-packages
    assert check.stdout.startswith("OK: the shipped knowledge base (version ")
    assert "site-packages" not in check.stdout
    (workdir / "me.yaml").write_text(EMERGENCY_ANSWERS, encoding="utf-8")
    assess = _ok([tool, "assess", "--answers", "me.yaml", "--format", "json"], workdir)
    result = json.loads(assess.stdout)
    assert result["urgency"]["level"] == "emergency"
    assert result["trace"][0]["rule"] == "rf_sudden_one_sided"


@dataclass
class Install:
    """An install running in the background; ``tool()`` waits for it and gives the command."""

    process: subprocess.Popen[str]
    command: Path
    what: str

    def tool(self) -> Path:
        out, err = self.process.communicate(timeout=300)
        assert self.process.returncode == 0, f"{self.what} failed:\n{out}\n{err}"
        return self.command


def _bundled_pip() -> Path:
    """The pip wheel `python -m venv` would install, from the standard library's ensurepip."""
    import ensurepip

    wheels = sorted((Path(ensurepip.__file__).parent / "_bundled").glob("pip-*.whl"))
    assert wheels, "this Python has no ensurepip: `python -m venv` could not install pip either"
    return wheels[-1]


def _start(argv: Sequence[str | Path], cwd: Path, environ: dict[str, str]
           ) -> subprocess.Popen[str]:
    return subprocess.Popen([str(part) for part in argv], cwd=cwd, env=environ, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(scope="session")
def installs(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Install]]:
    """Both installs of the wheel, started together: each mostly waits on the network."""
    tools = tmp_path_factory.mktemp("uv-tool")
    environ = _clean_environ(UV_TOOL_DIR=str(tools / "tools"), UV_TOOL_BIN_DIR=str(tools / "bin"))
    uv_tool = Install(_start([_uv(), "tool", "install", "--python", sys.executable, dist.wheel],
                             tools, environ), tools / "bin" / "muscle-triage", "uv tool install")
    # Plain pip, so experta's pins win (frozendict 1.2). The venv is made without pip and pip runs
    # from the very wheel ensurepip would put into it: the same pip, minus ~15 s installing itself.
    venv = tmp_path_factory.mktemp("pip") / "venv"
    _ok([sys.executable, "-m", "venv", "--without-pip", venv], venv.parent)
    pip = Install(_start([venv / "bin" / "python", _bundled_pip() / "pip", "install", "--quiet",
                          "--no-compile", "--disable-pip-version-check", dist.wheel],
                         venv.parent, _clean_environ()), venv / "bin" / "muscle-triage",
                  "pip install")
    started = {"uv tool": uv_tool, "pip": pip}
    yield started
    for install in started.values():
        if install.process.poll() is None:
            install.process.kill()
            install.process.communicate()


def test_uv_tool_install(installs: dict[str, Install], tmp_path: Path) -> None:
    tool = installs["uv tool"].tool()
    _exercise(tool, tmp_path)
    scenarios = _ok([tool, "test"], tmp_path)  # the scenario files ship beside the rules
    assert " passed, 0 failed" in scenarios.stdout + scenarios.stderr


def test_pip_install_into_a_new_venv(installs: dict[str, Install], tmp_path: Path) -> None:
    tool = installs["pip"].tool()
    frozendict = _ok([tool.parent / "python", "-c",
                      "import importlib.metadata as m; print(m.version('frozendict'))"], tmp_path)
    assert frozendict.stdout.strip() == "1.2", "pip should have kept experta's frozendict pin"
    _exercise(tool, tmp_path)
    # --rules DIR still points the installed tool at another knowledge base.
    _ok([tool, "init-rules", "mine"], tmp_path)
    questions = tmp_path / "mine" / "questions.yaml"
    questions.write_text(questions.read_text(encoding="utf-8").replace(
        "id: weaker\n", "id: weakerr\n", 1), encoding="utf-8")
    broken = _run([tool, "check", "--rules", "mine"], tmp_path)
    assert broken.returncode == 1 and "weaker" in broken.stderr
