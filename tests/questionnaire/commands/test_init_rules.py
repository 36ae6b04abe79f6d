"""init-rules: a copy of the shipped knowledge base that check and --rules then use."""

from __future__ import annotations

import stat
from pathlib import Path

from engine.load.paths import shipped_rules_dir
from tests.conftest import replace_in, run_cli


def _files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in root.rglob("*") if path.is_file() and "__pycache__" not in path.parts
            and path.name != "__init__.py"}


def test_copies_every_yaml_file_and_schema(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    result = run_cli("init-rules", str(target))
    assert result.code == 0, result.err
    assert "muscle-triage check --rules" in result.err
    shipped = _files(shipped_rules_dir())
    assert any(name.startswith("schemas/") for name in shipped)
    assert _files(target) == shipped  # byte for byte, scenarios included when there are any
    assert all(stat.S_IMODE((target / name).stat().st_mode) == 0o600 for name in shipped)


def test_the_copy_is_what_check_and_rules_then_use(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    assert run_cli("init-rules", str(target)).code == 0
    assert run_cli("check", "--rules", str(target)).code == 0
    replace_in(target / "questions.yaml", "How fast did the change come on?",
               "When did you first notice it?")
    shown = run_cli("questions", "--rules", str(target))
    assert "When did you first notice it?" in shown.out
    assert "When did you first notice it?" not in run_cli("questions").out


def test_refuses_a_non_empty_directory_without_force(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "questions.yaml").write_text("my own work\n", encoding="utf-8")
    refused = run_cli("init-rules", str(target))
    assert refused.code == 2 and "not empty" in refused.err and "--force" in refused.err
    assert [p.name for p in target.iterdir()] == ["questions.yaml"]
    assert (target / "questions.yaml").read_text(encoding="utf-8") == "my own work\n"
    forced = run_cli("init-rules", str(target), "--force")
    assert forced.code == 0
    assert _files(target) == _files(shipped_rules_dir())


def test_an_empty_directory_is_fine_and_a_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli("init-rules", str(empty)).code == 0
    a_file = tmp_path / "a_file"
    a_file.write_text("x", encoding="utf-8")
    refused = run_cli("init-rules", str(a_file), "--force")
    assert refused.code == 2 and "not a directory" in refused.err
