"""Plain mode: numbered line prompts driven through standard input, as a pipe or screen reader."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from engine.load.wording_lint import diagnostic_wording
from engine.model import AnswerValue, KnowledgeBase, Question
from engine.run.assess import assess
from tests.answer_paths import answer_path
from tests.conftest import CliResult

BOX_DRAWING = re.compile("[\u2500-\u257f]")


def number_for(question: Question, value: AnswerValue) -> str:
    values = list(question.values)
    if isinstance(value, str):
        return str(values.index(value) + 1)
    return ",".join(str(values.index(v) + 1) for v in value) or "none"


def plain_walk(kb: KnowledgeBase, wanted: Mapping[str, AnswerValue]
               ) -> tuple[list[str], dict[str, AnswerValue]]:
    """Typed lines answering every question that would be asked, and the answers they give."""
    path = answer_path(kb, wanted)
    return [number_for(q, v) for q, v in path], {q.id: v for q, v in path}


def flat(text: str) -> str:
    return " ".join(text.split())


def test_a_piped_run_re_asks_explains_goes_back_and_completes(cli_kb: Callable[..., CliResult],
                                                              kb: KnowledgeBase) -> None:
    wanted: dict[str, AnswerValue] = {"weaker": "yes", "onset": "over_weeks",
                                      "where_affected": ("feet_ankles", "hands")}
    lines, answers = plain_walk(kb, wanted)
    first = next(q for q in kb.questions if q.role == "red_flag")
    at = list(answers).index(first.id)  # asked after who it is about and their age
    # the first red flag: a number out of range, a word that fits nothing, an ambiguous start,
    # "why", then "no"; the next question: back; the first red flag again: "No" as a word.
    lines[at:at + 1] = ["7", "maybe", "n", "?", "2", "b", "No"]
    result = cli_kb(stdin="\n".join(lines) + "\n")  # input ends at the end menu: a normal end
    assert result.code == 0, result.err
    out = result.out
    assert "  1) Yes  2) No  3) Not sure" in out
    assert "There is no option 7: choose from 1 to 3." in out
    assert "Please type a number from 1 to 3" in out
    assert "'n' could mean No or Not sure: type the number." in out
    assert f"Why we ask: {first.why}" in flat(out)
    assert "(Earlier you answered No: type 2 to keep it.)" in out
    numbers = [str(n) for n in (at + 1, at + 2, at + 1)]
    assert re.findall(r"Question (\d+) of", out)[at:at + 3] == numbers
    expected = assess(kb, answers)
    assert expected.level.title in out and kb.notice in flat(out)
    assert "\x1b" not in out and not BOX_DRAWING.search(out)
    # the end menu: one option a line, so none is split across lines
    assert "What next?\n  1) Save my answers to a file\n  2) Show why" in out
    assert "\n  3) Write a report for the doctor (.html or .md)\n" in out
    assert "\n  5) Quit\n" in out
    assert diagnostic_wording(flat(out).replace(kb.notice, "")) == []


def test_plain_mode_saves_answers_that_replay_exactly(cli_kb: Callable[..., CliResult],
                                                      kb: KnowledgeBase, tmp_path: Path) -> None:
    lines, answers = plain_walk(kb, {"muscles_smaller": "unsure", "inactivity": ("bed_rest",),
                                     "other_illness": ("cancer",)})
    target = tmp_path / "mine.yaml"
    result = cli_kb(stdin="\n".join([*lines, "1", str(target), "5"]) + "\n")
    assert result.code == 0, result.err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    replay = cli_kb("assess", "--answers", str(target), "--format", "json")
    data = json.loads(replay.out)
    assert data["answers"] == {k: v if isinstance(v, str) else list(v)
                               for k, v in answers.items()}
    assert data["urgency"]["level"] == assess(kb, answers).level.id
    assert data["ignored"] == []


def test_plain_save_refuses_to_replace_a_file_without_a_yes(cli_kb: Callable[..., CliResult],
                                                            kb: KnowledgeBase,
                                                            tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    target.write_text("precious\n")
    # myself, under 18, yes to the first red flag, save, decline, quit
    result = cli_kb(stdin=f"1\n1\n1\n1\n{target}\nn\n5\n")
    assert result.code == 0, result.err
    assert "already exists. Replace it? (y/N)" in result.out and "Not saved." in result.out
    assert target.read_text() == "precious\n"


@pytest.mark.parametrize("typed", ["", "2\n2\n", "1\n1\n1\n1\n"])
def test_end_of_input_before_the_result_exits_130_and_writes_nothing(
        cli_kb: Callable[..., CliResult], typed: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli_kb(stdin=typed)  # "1\n1\n1\n1\n": an emergency, "save", input ends at the name
    assert result.code == 130
    assert result.err.strip() == "Stopped. Nothing was saved."
    assert "Traceback" not in result.out + result.err
    assert list(tmp_path.iterdir()) == []


def test_several_of_takes_numbers_words_or_none(kb: KnowledgeBase) -> None:
    from questionnaire.terminal.plain import NotAnAnswer, parse_answer

    question = kb.question("inactivity")
    assert parse_answer(question, "2, 1") == ("bed_rest", "cast")
    assert parse_answer(question, "1 2 2") == ("bed_rest", "cast")
    assert parse_answer(question, "none") == ()
    assert parse_answer(question, "A cast, splint or brace") == ("cast",)
    assert parse_answer(question, "cast; hospital") == ("cast", "hospital_stay")
    with pytest.raises(NotAnAnswer, match="no option 9"):
        parse_answer(question, "1,9")
    with pytest.raises(NotAnAnswer, match="'none'"):
        parse_answer(question, "  ")


def test_none_picks_a_lists_own_none_of_these(kb: KnowledgeBase) -> None:
    """"none" typed for a list with its own "None of these" records that option (as the web
    form does), so the answers file says what the person chose."""
    from questionnaire.terminal.plain import parse_answer

    for question_id in ("other_illness", "medicines"):
        question = kb.question(question_id)
        assert "none" in question.alone
        assert parse_answer(question, "none") == ("none",)
        assert parse_answer(question, "None of these") == ("none",)
    assert parse_answer(kb.question("inactivity"), "nothing") == ()


@pytest.mark.parametrize(("argv", "environ"), [(["--plain"], {}), ([], {"TERM": "dumb"})])
def test_plain_at_a_terminal_when_asked_or_on_a_dumb_terminal(
        cli_kb: Callable[..., CliResult], kb: KnowledgeBase, argv: list[str], environ: dict[str,
        str]) -> None:
    result = cli_kb(*argv, stdin="1\n1\n1\n2\n", environ=environ, tty=True)  # to an emergency
    assert result.code == 0, result.err
    assert "Your answer (1-4, ? why): " in result.out
    assert kb.levels[0].title in result.out
    assert "\x1b" not in result.out and not BOX_DRAWING.search(result.out)


def test_a_save_finished_as_ctrl_c_came_is_named_in_the_stop_message(
        cli_kb: Callable[..., CliResult], kb: KnowledgeBase, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from questionnaire.files import InterruptedAfterWriting

    def finished_then_stopped(path: Path, content: str | bytes, *, force: bool = False) -> Path:
        Path(path).write_text(str(content))
        raise InterruptedAfterWriting(Path(path))

    monkeypatch.setattr("questionnaire.terminal.end_menu.write_private", finished_then_stopped)
    lines, _ = plain_walk(kb, {})
    target = tmp_path / "mine.yaml"
    result = cli_kb(stdin="\n".join([*lines, "1", str(target), "5"]) + "\n")
    assert result.code == 130
    assert f"Stopped. {target} was written just before." in result.err
    assert "Nothing was saved" not in result.err


def test_plain_change_an_answer_after_an_emergency_stop(cli_kb: Callable[..., CliResult],
                                                        kb: KnowledgeBase) -> None:
    calm_lines, calm = plain_walk(kb, {})
    at = next(i for i, q in enumerate(calm) if kb.question(q).role == "red_flag")
    # the opening questions, then "1" (Yes) to the first red flag ends the questions;
    # 4) Change an answer; that answer; "2" (No); then the rest, calmly; then 5) Quit.
    typed = [*calm_lines[:at], "1", "4", str(at + 1), "2", *calm_lines[at + 1:], "5"]
    result = cli_kb(stdin="\n".join(typed) + "\n")
    assert result.code == 0, result.err
    before, after = result.out.split("Which answer would you like to change?")
    assert "The questions stop here" in before and kb.levels[0].title in before
    assert f"  {at + 1}) {kb.question(list(calm)[at]).text[:40]}" in after
    assert f"  {at + 2}) Keep my answers (back to the menu)" in after
    assert "(Earlier you answered Yes: type 1 to keep it.)" in after
    assert re.findall(r"Question (\d+) of", after) == [str(n) for n in
                                                        range(at + 1, len(calm) + 1)]
    assert assess(kb, calm).level.title in after and kb.levels[0].title not in after


def test_plain_why_and_back_in_a_several_of_list_are_controls(cli_kb: Callable[..., CliResult],
                                                              kb: KnowledgeBase) -> None:
    lines, answers = plain_walk(kb, {"weaker": "yes", "where_affected": ("hands",)})
    checkbox = kb.question("where_affected")
    at = list(answers).index(checkbox.id)
    before = lines[at - 1]
    # at the list: ? (why), b (back: the question before, answered the same again), then 1
    lines[at:at + 1] = ["?", "b", before, "1"]
    result = cli_kb(stdin="\n".join(lines) + "\n")
    assert result.code == 0, result.err
    out = result.out
    assert "Your answer (numbers such as 1,3, or none, ? why, b back): " in out
    assert f"Why we ask: {checkbox.why}" in flat(out)
    assert re.findall(r"Question (\d+) of", out)[at:at + 3] == [str(at + 1), str(at), str(at + 1)]
    assert assess(kb, answers).level.title in out


def test_plain_options_are_never_split_across_lines() -> None:
    from questionnaire.terminal.plain import numbered_lines

    labels = ["Save my answers to a file", "Write a report for the doctor (.html or .md)"]
    assert numbered_lines(labels, 100) == ["  1) Save my answers to a file",
                                           "  2) Write a report for the doctor (.html or .md)"]
    assert numbered_lines(["Yes", "No", "Not sure"], 40, together=True) == [
        "  1) Yes  2) No  3) Not sure"]
    assert numbered_lines(["Yes", "No", "Not sure"], 20, together=True) == [
        "  1) Yes", "  2) No", "  3) Not sure"]
    # a label too long for the line wraps under its own first word, not under the number
    assert numbered_lines(labels[1:], 30) == ["  1) Write a report for the",
                                              "     doctor (.html or .md)"]


def test_launch_command_repeats_how_the_tool_was_started() -> None:
    from questionnaire.environment import launch_command

    script, module = "/x/.venv/bin/muscle-triage", "/x/questionnaire/__main__.py"
    assert launch_command(script, {}, "/usr/bin/python3") == "muscle-triage"
    assert launch_command(script, {"UV": "/bin/uv"}, "/x/.venv/bin/python") == \
        "uv run muscle-triage"
    assert launch_command(module, {}, "/usr/bin/python3") == "python3 -m questionnaire"
    assert launch_command(module, {"UV": "/bin/uv"}, "/x/.venv/bin/python") == \
        "uv run python -m questionnaire"


def test_saving_names_the_full_path_and_the_command_as_it_was_run(cli_kb: Callable[..., CliResult],
        kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # not a git work tree: the default is the current folder
    lines, _ = plain_walk(kb, {})
    typed = "\n".join([*lines, "1", "", "1", "sub folder.yaml", "5"]) + "\n"
    (tmp_path / "sub folder.yaml").unlink(missing_ok=True)
    result = cli_kb(stdin=typed, environ={"UV": "/bin/uv"})
    assert result.code == 0, result.err
    out = flat(result.out)
    default = tmp_path / "muscle-triage-answers.yaml"
    assert f"Save the answers to which file? [{default}]" in out
    assert (f"Saved the answers to {default} (readable only by you).\n"
            f"To see this result again, type:\n  uv run muscle-triage assess --answers {default}\n"
            ) in result.out  # whole lines, never broken inside a path
    typed_name = tmp_path / "sub folder.yaml"  # a relative name: its full path, quoted
    assert f"Saved the answers to {typed_name}" in out
    assert f"uv run muscle-triage assess --answers '{typed_name}'" in out
    assert default.exists() and typed_name.exists()
    assert "git work tree" not in out
    assert (f"# See the result again with: uv run muscle-triage assess --answers {default}\n"
            in default.read_text())


def test_in_a_git_work_tree_files_are_offered_in_the_home_folder(cli_kb: Callable[..., CliResult],
        kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clone, home = tmp_path / "clone", tmp_path / "home"
    (clone / ".git").mkdir(parents=True)
    (clone / "deep").mkdir()
    home.mkdir()
    monkeypatch.chdir(clone / "deep")
    monkeypatch.setenv("HOME", str(home))
    lines, _ = plain_walk(kb, {})
    result = cli_kb(stdin="\n".join([*lines, "1", "", "3", "", "5"]) + "\n")
    assert result.code == 0, result.err
    out = flat(result.out)
    assert out.count("This folder is inside a git work tree") == 2
    assert f"Saved the answers to {home / 'muscle-triage-answers.yaml'}" in out
    assert f"Wrote the report to {home / 'muscle-triage-report.html'}" in out
    assert sorted(p.name for p in home.iterdir()) == ["muscle-triage-answers.yaml",
                                                     "muscle-triage-report.html"]
    assert list((clone / "deep").iterdir()) == []


def test_the_welcome_says_what_texts_yaml_says(cli_kb: Callable[..., CliResult],
                                               kb: KnowledgeBase) -> None:
    out = flat(cli_kb("--plain", stdin="").out)
    assert kb.texts.welcome in out and kb.texts.how_it_runs in out and kb.notice in out


@pytest.mark.parametrize("reply", ["²", "¹", "①", "9" * 5000, "0", "-1", "1e3"])
def test_a_reply_that_looks_like_a_number_but_names_no_option_asks_again(
        kb: KnowledgeBase, reply: str) -> None:
    from questionnaire.terminal.plain import NotAnAnswer, parse_answer

    with pytest.raises(NotAnAnswer) as caught:
        parse_answer(kb.question("weaker"), reply)
    assert len(str(caught.value)) < 120


def test_odd_digits_at_the_prompt_are_asked_again_and_the_result_still_comes(
        cli_kb: Callable[..., CliResult]) -> None:
    result = cli_kb("--plain", stdin="²\n①\n" + "9" * 5000 + "\n" + "2\n" * 90)
    assert result.code == 0, result.err
    assert "There is no option '²'" in result.out
    assert "Traceback" not in result.err


def test_a_piped_reply_is_echoed_with_its_escapes_shown_not_acted_on(
        cli_kb: Callable[..., CliResult]) -> None:
    result = cli_kb("--plain", stdin="\x1b]0;owned\x07\n" + "2\n" * 90)
    assert "\x1b" not in result.out
    assert "\\x1b]0;owned\\x07" in result.out


@pytest.mark.parametrize("name", ["locked/mine.yaml", "~nosuchuser/mine.yaml", "bad\x00name"])
def test_saving_where_nothing_can_be_saved_says_so_and_the_menu_goes_on(
        cli_kb: Callable[..., CliResult], name: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """After the whole questionnaire, a place that cannot be written is a message, not a crash
    (a directory that cannot be searched is simulated: as root, permissions do not stop us)."""
    import errno
    import os

    monkeypatch.chdir(tmp_path)
    real = os.lstat

    def denied(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if str(path).startswith("locked"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("os.lstat", denied)
    # myself, under 18, yes to the first warning sign, save, the name, quit
    result = cli_kb(stdin=f"1\n1\n1\n1\n{name}\n5\n")
    assert result.code == 0, result.err
    assert "Not saved: " in result.out
    assert "Traceback" not in result.out + result.err
