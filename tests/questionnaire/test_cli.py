"""The command line, run in-process: every subcommand, exit code and stream."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import replace_in, run_cli

EMERGENCY = "sudden_one_sided: yes\n"


def test_version() -> None:
    result = run_cli("--version")
    assert result.code == 0 and result.out.startswith("muscle-triage ")


def test_help_teaches_commands_and_exit_codes() -> None:
    result = run_cli("--help")
    assert result.code == 0
    for word in ("check", "questions", "assess", "never gives a diagnosis", "exit status",
                 "NO_COLOR"):
        assert word in result.out


def test_unknown_option_is_a_usage_error() -> None:
    result = run_cli("assess", "--answer", "x.yaml")
    assert result.code == 2
    assert "--help" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize("argv", [["asses"], ["-"], ["--plain", "questons"],
                                  ["--rules", "rules", "checks"]])
def test_a_word_that_is_no_command_lists_the_commands(argv: list[str]) -> None:
    """A mistyped command is refused with the list of commands, wherever it stands."""
    result = run_cli(*argv)
    assert result.code == 2
    assert "invalid choice" in result.err and "'assess'" in result.err, result.err


def test_each_command_has_its_own_help_and_options() -> None:
    for command, option in (("assess", "--answers FILE"), ("export", "--output FILE"),
                            ("graph", "--format")):
        result = run_cli(command, "--help")
        assert result.code == 0 and f"usage: muscle-triage {command}" in result.out
        assert option in result.out and "--no-color" in result.out


def test_check_ok() -> None:
    result = run_cli("check")
    assert result.code == 0 and "OK:" in result.out and "questions" in result.out


def test_check_reports_file_and_line_for_an_unknown_question(rules_copy: Path) -> None:
    line = replace_in(rules_copy / "red_flags.rules.yaml", "answer: sudden_one_sided, is: yes",
                      "answer: sudden_one_side, is: yes")
    result = run_cli("check", "--rules", str(rules_copy))
    assert result.code == 1
    assert f"red_flags.rules.yaml:{line}: rule 'rf_sudden_one_sided': unknown question " \
           f"'sudden_one_side' (did you mean 'sudden_one_sided'?)" in result.err
    assert "1 problem" in result.err and result.out == ""


def test_rules_option_works_before_or_after_the_command(rules_copy: Path) -> None:
    (rules_copy / "levels.yaml").write_text("levels: 3\n", encoding="utf-8")
    assert run_cli("--rules", str(rules_copy), "check").code == 1
    assert run_cli("check", "--rules", str(rules_copy)).code == 1
    assert run_cli("check").code == 0


def test_questions_json_shape() -> None:
    result = run_cli("questions", "--format", "json")
    data = json.loads(result.out)
    assert data[0]["id"] == "who"
    flag = next(q for q in data if q["id"] == "rash_not_fading")
    assert set(flag) == {"id", "text", "kind", "role", "options", "ask_if", "why"}
    assert {"value": "unsure", "label": "Not sure"} in flag["options"]
    # a question worded by audience carries each wording
    age = next(q for q in data if q["id"] == "age")
    assert set(age) == set(flag) | {"by_audience"}
    onset = next(q for q in data if q["id"] == "onset")
    assert "muscles_smaller" in onset["ask_if"]


def test_questions_text_lists_every_question(kb) -> None:  # type: ignore[no-untyped-def]
    out = run_cli("questions").out
    for question in kb.questions:
        assert question.id in out


def test_assess_emergency_from_stdin_as_json() -> None:
    result = run_cli("assess", "--answers", "-", "--format", "json", stdin=EMERGENCY)
    assert result.code == 0
    data = json.loads(result.out)
    assert data["schema_version"] == 1
    assert data["urgency"]["level"] == "emergency"
    assert data["trace"][0]["rule"] == "rf_sudden_one_sided"
    assert data["trace"][0]["because"] == ["sudden_one_sided: Yes"]
    assert data["answers"] == {"sudden_one_sided": "yes"}
    assert "does not replace a doctor" in data["notice"]


def test_assess_text_from_a_file(tmp_path: Path) -> None:
    answers = tmp_path / "me.yaml"
    answers.write_text("weaker: yes\ninactivity: [cast]\n", encoding="utf-8")
    result = run_cli("assess", "--answers", str(answers))
    assert result.code == 0
    assert "Nothing urgent in your answers" in result.out
    assert "Physiotherapy" in result.out and "How we got here" in result.out
    assert "\x1b[" not in result.out  # not a terminal: no colour codes


def test_assess_bad_value_exit_2_names_question_and_values() -> None:
    result = run_cli("assess", "--answers", "-", stdin="onset: soon\nweaker: yes\n")
    assert result.code == 2
    assert "question 'onset'" in result.err and "over_days, over_weeks" in result.err
    assert result.out == ""


def test_assess_malformed_answers_file_exit_2(tmp_path: Path) -> None:
    answers = tmp_path / "bad.yaml"
    answers.write_text("weaker: yes\n  onset: [\n", encoding="utf-8")
    result = run_cli("assess", "--answers", str(answers))
    assert result.code == 2 and f"{answers}:2:" in result.err


def test_assess_missing_file_exit_2(tmp_path: Path) -> None:
    result = run_cli("assess", "--answers", str(tmp_path / "none.yaml"))
    assert result.code == 2 and "cannot read" in result.err


def test_no_color_and_colour_on_a_terminal() -> None:
    coloured = run_cli("assess", "--answers", "-", stdin=EMERGENCY, tty=True,
                       environ={"TERM": "xterm-256color"})
    assert "\x1b[" in coloured.out
    plain = run_cli("assess", "--answers", "-", stdin=EMERGENCY, tty=True,
                    environ={"TERM": "xterm-256color", "NO_COLOR": "1"})
    assert "\x1b[" not in plain.out and "Emergency" in plain.out
    flag = run_cli("assess", "--no-color", "--answers", "-", stdin=EMERGENCY, tty=True,
                   environ={"TERM": "xterm-256color"})
    assert "\x1b[" not in flag.out


def test_console_script_and_module_entry_points(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text(EMERGENCY, encoding="utf-8")
    for command in ([sys.executable, "-m", "questionnaire"],):
        done = subprocess.run([*command, "assess", "--answers", str(answers), "--format", "json"],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["urgency"]["level"] == "emergency"
        assert done.stderr == ""


def test_broken_pipe_exits_quietly(tmp_path: Path) -> None:
    done = subprocess.run(f"{sys.executable} -m questionnaire questions | head -1; "
                          "echo \"status ${PIPESTATUS[0]}\"", shell=True, executable="/bin/bash",
                          capture_output=True, text=True, check=False)
    assert done.stdout.startswith("1. who")
    assert done.stdout.rstrip().endswith("status 141")
    assert "Traceback" not in done.stderr and "Broken pipe" not in done.stderr


def test_check_names_the_knowledge_base_it_checked(rules_copy: Path) -> None:
    shipped = run_cli("check")
    assert shipped.out.startswith("OK: the shipped knowledge base (version ")
    assert "in rules/: " in shipped.out  # a checkout: the folder being edited
    own = run_cli("check", "--rules", str(rules_copy))
    assert own.out.startswith(f"OK: the knowledge base in {rules_copy}: ")
