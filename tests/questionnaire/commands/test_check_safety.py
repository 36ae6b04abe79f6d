"""`check` enforces the safety promises on an edited copy of the shipped rules (issue 14 §6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import replace_in, run_cli

#: A red flag whose rule reads that one answer alone (rf_breathing_trouble).
FLAG = "breathing_trouble"
SUDDEN = f"""    when: {{answer: {FLAG}, is: yes}}
    then:
      level: emergency"""


@pytest.fixture
def copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert run_cli("init-rules", "mine").code == 0
    return tmp_path / "mine"


def test_the_shipped_copy_checks_ok(copy: Path) -> None:
    result = run_cli("check", "--rules", "mine")
    assert (result.code, result.err) == (0, ""), result.err


def test_a_red_flag_turned_routine_fails_check_at_its_question(copy: Path) -> None:
    replace_in(copy / "red_flags.rules.yaml", SUDDEN, SUDDEN.replace("emergency", "routine"))
    line = (copy / "questions.yaml").read_text().splitlines().index(f"  - id: {FLAG}") + 1
    result = run_cli("check", "--rules", "mine")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"mine/questions.yaml:{line}: question '{FLAG}': red flag: a 'yes' alone "
        "reaches 'routine', below its raises_to 'emergency'; add a rule at that level whose "
        "condition holds on this 'yes' alone (no 'not', no facts)",
        "muscle-triage: the knowledge base has 1 problem"]


def test_a_red_flag_declared_higher_than_its_rules_fails_check(copy: Path) -> None:
    replace_in(copy / "questions.yaml", "    raises_to: urgent", "    raises_to: emergency")
    result = run_cli("check", "--rules", "mine")
    assert result.code == 1
    assert "below its raises_to 'emergency'" in result.err


def test_a_red_flag_behind_a_fact_is_not_taken_on_trust(copy: Path) -> None:
    """A rule reaching the level through a derived fact is not proved by the structure."""
    replace_in(copy / "red_flags.rules.yaml", f"    when: {{answer: {FLAG}, is: yes}}",
               f"    when: {{all: [{{answer: {FLAG}, is: yes}}, "
               "{not: {fact: muscle_change}}]}")
    result = run_cli("check", "--rules", "mine")
    assert result.code == 1
    assert f"question '{FLAG}': red flag" in result.err


def test_a_floor_that_can_be_broken_fails_check_at_the_floor(copy: Path) -> None:
    replace_in(copy / "muscle_changes.rules.yaml",
               "        - {not: {fact: disuse_explained}}\n    then:\n      level: soon",
               "        - {not: {fact: disuse_explained}}\n    then:\n      level: routine")
    floor = (copy / "levels.yaml").read_text().splitlines().index("floor:") + 1
    result = run_cli("check", "--rules", "mine")
    assert result.code == 1
    problems = result.err.splitlines()[:-1]
    assert len(problems) == 3  # one for each of the floor's three answers
    assert all(p.startswith(f"mine/levels.yaml:{floor}: floor: the floor can be broken: when ")
               and p.endswith(", no rule at 'soon' or above is proved to fire") for p in problems)


def test_test_coverage_reports_the_floor(copy: Path) -> None:
    result = run_cli("test", "--coverage", "--rules", "mine")
    assert "the floor (levels.yaml) cannot be broken: proved" in result.out
