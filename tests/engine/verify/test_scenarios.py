"""Every shipped scenario case is its own test; coverage of rules and questions must be complete.

Scenario files live beside the rule files in rules/; anyone can add a case in YAML and see it
here (or with `muscle-triage test`) without writing Python.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.load.knowledge_base import load_knowledge_base
from engine.load.paths import shipped_rules_dir
from engine.model import KnowledgeBase
from engine.problems import KnowledgeBaseError
from engine.verify.scenarios import coverage, load_cases, run_case, scenario_files
from tests.conftest import replace_in, run_cli

SHIPPED = load_cases(load_knowledge_base(), scenario_files(shipped_rules_dir()))


@pytest.mark.parametrize("case", SHIPPED, ids=[case.name for case in SHIPPED])
def test_scenario(kb: KnowledgeBase, case) -> None:  # type: ignore[no-untyped-def]
    outcome = run_case(kb, case)
    if outcome.status == "xfailed":
        pytest.xfail(case.xfail or "")
    trace = "\n".join(f"  {step.rule.id}: because {'; '.join(step.because)}"
                      for step in outcome.assessment.trace) or "  (nothing fired)"
    assert outcome.ok, (f"{case.path}:{case.line}\n" + "\n".join(outcome.failures)
                        + f"\nurgency: {outcome.assessment.level.id}\nwhat fired:\n{trace}")


def test_every_rule_fires_somewhere_and_stays_silent_somewhere(kb: KnowledgeBase) -> None:
    table = coverage(kb, [run_case(kb, case) for case in SHIPPED])
    assert table.uncovered_rules == []
    assert table.unanswered_questions == []


def test_every_rules_file_has_a_scenarios_file_beside_it() -> None:
    root = shipped_rules_dir()
    for rules_file in root.glob("*.rules.yaml"):
        assert (root / rules_file.name.replace(".rules.", ".scenarios.")).exists(), rules_file


def test_a_broken_scenario_fails_with_a_readable_diff(rules_copy: Path) -> None:
    replace_in(rules_copy / "red_flags.scenarios.yaml",
               "expect: {urgency: emergency, fires: [rf_cannot_walk_or_lift_head]}",
               "expect: {urgency: urgent, fires: [rf_cannot_walk_or_lift_head, rf_choking]}")
    result = run_cli("test", "--rules", str(rules_copy))
    assert result.code == 1
    assert "FAIL red_flags::cannot_walk_is_emergency" in result.out
    assert "urgency: expected urgent, got emergency" in result.out
    assert "fires: expected rf_choking to fire; it did not" in result.out
    assert "fired: rf_cannot_walk_or_lift_head" in result.out
    assert result.out.rstrip().endswith("1 failed")
    assert f"{len(SHIPPED) - 1} passed, 1 failed" in result.out


def test_xfail_records_a_gap_and_reports_when_it_passes(rules_copy: Path) -> None:
    path = rules_copy / "extra.scenarios.yaml"
    path.write_text("""cases:
  - id: known_gap
    answers: {weaker: yes}
    expect: {urgency: urgent}
    xfail: we do not yet escalate this
  - id: fixed_gap
    answers: {weaker: yes}
    expect: {urgency: soon}
    xfail: no longer a gap
""", encoding="utf-8")
    result = run_cli("test", str(path), "--rules", str(rules_copy))
    assert result.code == 1
    assert "XPASS extra::fixed_gap" in result.out
    assert "0 passed, 1 failed, 1 xfailed" in result.out


def test_scenario_mistakes_name_file_line_and_what(rules_copy: Path, kb: KnowledgeBase) -> None:
    path = rules_copy / "bad.scenarios.yaml"
    path.write_text("""cases:
  - id: typo
    answers:
      weaker: maybe
    expect: {fires: [rf_chokin], urgency: soonish}
""", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_cases(kb, [path])
    texts = [str(p) for p in caught.value.problems]
    assert any(":4: case 'typo': question 'weaker': 'maybe' is not an allowed answer" in t
               for t in texts)
    assert any("unknown rule 'rf_chokin' (did you mean 'rf_choking'?)" in t
               for t in texts)
    assert any("unknown level 'soonish'" in t for t in texts)
    assert run_cli("test", str(path)).code == 1


def test_cli_test_passes_on_the_shipped_scenarios_with_coverage() -> None:
    result = run_cli("test", "--coverage")
    assert result.code == 0, result.out + result.err
    assert f"{len(SHIPPED)} passed, 0 failed" in result.out
    flags = sum(q.role == "red_flag" for q in load_knowledge_base().questions)
    assert f"red flags proved to reach their level: {flags} of {flags}" in result.out
    assert "uncovered" not in result.out


def test_coverage_flags_a_rule_no_scenario_makes_fire(rules_copy: Path) -> None:
    replace_in(rules_copy / "muscle_changes.rules.yaml", "rules:\n", """rules:
  - id: untested_rule
    title: Never exercised
    when: {all: [{answer: eating_less, is: yes}, {answer: tires_with_use, is: yes}]}
    then: {level: soon}
    explanation: A rule with no scenario.
    sources: [article-symptoms]
""")
    result = run_cli("test", "--coverage", "--rules", str(rules_copy))
    assert result.code == 1
    assert "untested_rule" in result.out and "<- uncovered" in result.out
