"""demo NAME --what-if QUESTION=VALUE: both results, the differing events, bad input in a line."""

from __future__ import annotations

from tests.conftest import run_cli


def test_demo_what_if_shows_both_results_and_what_changed() -> None:
    result = run_cli("demo", "rule_chain", "--what-if", "inactivity=cast")
    assert result.code == 0, result.err
    out = " ".join(result.out.split())
    assert "Result as written: See a doctor soon (soon)" in out
    assert "(routine)" in out.split("Result with change:")[1].split("-")[0]
    assert "rules that now fire: disuse_context, disuse_only" in out
    no_longer = out.split("rules that no longer fire: ")[1].split(" - ")[0]
    assert "see_doctor_about_muscle_change" in no_longer


def test_demo_what_if_withdrawing_an_answer_sets_the_questions_it_opened_aside() -> None:
    result = run_cli("demo", "rule_chain", "--what-if", "weaker=")
    assert result.code == 0, result.err
    assert "set aside with the change (no longer asked): onset, inactivity" in " ".join(
        result.out.split())


def test_demo_what_if_refuses_bad_changes_in_one_line() -> None:
    for change, words in (("weakr=yes", "did you mean 'weaker'"), ("weaker", "QUESTION=VALUE"),
                          ("weaker=maybe", "allowed: yes, no, unsure")):
        result = run_cli("demo", "rule_chain", "--what-if", change)
        assert result.code == 2, change
        assert words in result.err and "Traceback" not in result.err
        assert result.err.strip().count("\n") <= 1
