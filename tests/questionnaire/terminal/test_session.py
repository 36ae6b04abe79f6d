"""The questionary front end, driven end to end with keystrokes through prompt_toolkit's pipe input.

Each test sends every keystroke up front and then closes the input, so a flow that wants more
keys than the test gave ends in EOFError (exit 130) instead of hanging; an interval timer guards
against anything else that could block. The CLI runs in-process with a terminal-like Environment.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import yaml
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from engine.model import AnswerValue, KnowledgeBase, Question
from engine.run.assess import assess
from tests.answer_paths import answer_path, loaded_once
from tests.conftest import CliResult, run_cli

pytestmark = pytest.mark.usefixtures(loaded_once.__name__)
ENTER, DOWN, UP, SPACE, CTRL_C = "\r", "\x1b[B", "\x1b[A", " ", "\x03"
#: Items after a question's options: "Why are we asking this?", then "Go back" (from question 2).
WHY, BACK = 0, 1


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def _expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"the questionnaire did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_tui(keys: list[str], *argv: str) -> CliResult:
    """Run `muscle-triage` at a (pretend) terminal with these keystrokes, then end of input."""
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text("".join(keys))
        pipe.close()
        with time_limit(30):
            return run_cli(*argv, tty=True)


def select(index: int, start: int = 0) -> str:
    """Move from item ``start`` to item ``index`` of a menu (separators are skipped) and choose."""
    step = DOWN if index >= start else UP
    return step * abs(index - start) + ENTER


def tick(indexes: list[int]) -> str:
    """Tick these items of a checkbox (pointer starting at the top) and confirm."""
    keys, at = [], 0
    for index in sorted(indexes):
        keys.append(DOWN * (index - at) + SPACE)
        at = index
    return "".join(keys) + ENTER


def answer_keys(question: Question, value: AnswerValue) -> str:
    values = list(question.values)
    if question.kind == "several_of":
        return tick([values.index(v) for v in value])
    assert isinstance(value, str)
    return select(values.index(value))


def walk(kb: KnowledgeBase, wanted: Mapping[str, AnswerValue]
         ) -> tuple[list[str], dict[str, AnswerValue]]:
    """Keys answering every question that would be asked, and the answers they give."""
    path = answer_path(kb, wanted)
    return [answer_keys(q, v) for q, v in path], {q.id: v for q, v in path}


def flat(text: str) -> str:
    """Output with ANSI codes removed and wrapped lines joined, for phrase checks."""
    return " ".join(re.sub(r"\x1b\[[0-9;]*m|[│╭╮╰╯─]", "", text).split())


START = select(0)
#: Who it is about ("Myself") and the age ("Under 18"): the opening questions, before the red flags.
OPENING = [select(0), select(0)]
QUIT = select(3)  # the end menu: "Save my answers to a file", "Show why", "Write a report", "Quit"


def test_routine_path_asks_follow_ups_saves_answers_and_they_replay(
        kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    wanted: dict[str, AnswerValue] = {"weaker": "yes", "onset": "over_months",
                                      "where_affected": ("hands",), "inactivity": ("cast",)}
    keys, answers = walk(kb, wanted)
    # At the checkbox, tick "hands" and "Why are we asking this?": the reason is shown and the
    # question comes back with "hands" still ticked, so Enter alone keeps it.
    checkbox = kb.question("where_affected")
    keys[list(answers).index(checkbox.id)] = tick([0, len(checkbox.options) + WHY]) + ENTER
    result = run_tui([START, *keys, select(0), ENTER, QUIT])  # save under the default name
    assert result.code == 0, result.err
    asked = re.findall(r"Question (\d+) of about (\d+)", result.out)
    assert [int(n) for n, _ in asked] == list(range(1, len(answers) + 1))
    assert "onset" in answers and "where_affected" in answers  # follow-ups were asked
    expected = assess(kb, answers)
    assert expected.level.id != kb.levels[0].id
    out = flat(result.out)
    assert expected.level.title in out and "How we got here" in out
    assert "Your answers that led to this result" in out and kb.notice in out
    assert f"Why we ask: {checkbox.why}" in out
    assert f"Your answer: {checkbox.options[0].label}" in out
    saved = tmp_path / "muscle-triage-answers.yaml"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert f"Saved the answers to {saved.name}" in out
    data = yaml.safe_load(saved.read_text())
    assert data == {k: list(v) if isinstance(v, tuple) else v for k, v in answers.items()}
    replay = run_cli("assess", "--answers", str(saved), "--format", "json")
    assert replay.code == 0 and '"ignored": []' in replay.out
    assert f'"level": "{expected.level.id}"' in replay.out


def _first_red_flag(kb: KnowledgeBase) -> Question:
    return next(q for q in kb.questions if q.role == "red_flag")


def test_a_red_flag_ends_the_questions_at_once(kb: KnowledgeBase, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    second = kb.questions[kb.questions.index(_first_red_flag(kb)) + 1]
    assert second.role == "red_flag" and second.raises_to == kb.levels[0].id
    result = run_tui([START, *OPENING, select(1), select(0), QUIT], "--no-color")  # no, yes
    assert result.code == 0, result.err
    assert "\x1b[" not in result.out
    assert "Question 4 of about" in result.out and "Question 5 of" not in result.out
    out = flat(result.out)
    assert "The questions stop here" in out and kb.levels[0].title in out
    assert kb.notice in out and "Reading" not in out
    assert list(tmp_path.iterdir()) == []


def test_going_back_asks_again_with_the_earlier_answer_suggested(kb: KnowledgeBase) -> None:
    first = _first_red_flag(kb)
    options = len(kb.questions[kb.questions.index(first) + 1].options)
    # No to the first red flag; "Go back" at the next; the first again, pointer on the earlier
    # "No": one step up is "Yes", which ends the questions.
    keys = [START, *OPENING, select(1), select(options + BACK), select(0, start=1), QUIT]
    result = run_tui(keys)
    assert result.code == 0, result.err
    assert re.findall(r"Question (\d+) of", result.out) == ["1", "2", "3", "4", "3"]
    assert "Going back to the previous question." in result.out
    out = flat(result.out)
    assert kb.levels[0].title in out
    assert f"{' '.join(first.text.split()[:6])}" in out.split("How we got here")[1]


def test_asking_why_shows_the_reason_then_the_same_question(kb: KnowledgeBase) -> None:
    first = _first_red_flag(kb)
    keys = [START, *OPENING, select(len(first.options) + WHY), select(0), QUIT]
    result = run_tui(keys)
    assert result.code == 0, result.err
    out = flat(result.out)
    assert f"Why we ask: {first.why}" in out
    assert re.findall(r"Question (\d+) of", result.out) == ["1", "2", "3"]
    assert kb.levels[0].title in out  # the re-asked question took the answer


@pytest.mark.parametrize("where", ["start", "question", "end menu"])
def test_ctrl_c_stops_calmly_with_130_and_writes_nothing(
        where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    keys = {"start": [CTRL_C], "question": [START, select(1), CTRL_C],
            "end menu": [START, *OPENING, select(0), CTRL_C]}[where]
    result = run_tui(keys)
    assert result.code == 130
    assert result.err.strip() == "Stopped. Nothing was saved."
    assert "Traceback" not in result.out + result.err
    assert list(tmp_path.iterdir()) == []


def test_input_ending_mid_questionnaire_is_an_interrupt(kb: KnowledgeBase) -> None:
    result = run_tui([START, select(1)])
    assert result.code == 130 and "Stopped." in result.err
    assert "Question 2 of" in result.out and "How we got here" not in result.out


def test_quit_at_the_start_screen(kb: KnowledgeBase) -> None:
    result = run_tui([select(1)])
    assert result.code == 0 and "Question 1" not in result.out
    assert kb.notice in flat(result.out)


def test_replacing_a_saved_file_needs_a_yes(kb: KnowledgeBase, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "muscle-triage-answers.yaml"
    target.write_text("mine\n")
    os.chmod(target, 0o644)
    save = select(0) + ENTER
    result = run_tui([START, *OPENING, select(0), save, ENTER, save, "y", QUIT])  # "no", "y"
    assert result.code == 0, result.err
    out = flat(result.out)
    assert "Not saved." in out and "Saved the answers" in out
    assert "sudden_one_sided: 'yes'" in target.read_text() or \
        "sudden_one_sided: yes" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_the_welcome_box_says_what_texts_yaml_says(kb: KnowledgeBase) -> None:
    out = flat(run_tui([select(1)]).out)  # "Quit" at the start screen
    assert kb.texts.welcome in out and kb.texts.how_it_runs in out and kb.notice in out
