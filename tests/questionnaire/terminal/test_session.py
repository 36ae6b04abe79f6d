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
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path

import pytest
import yaml
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from engine.model import AnswerValue, KnowledgeBase, Question
from engine.run.assess import assess
from tests.answer_paths import answer_path
from tests.conftest import CliResult, reusing, run_cli

ENTER, DOWN, UP, SPACE, CTRL_C = "\r", "\x1b[B", "\x1b[A", " ", "\x03"
#: Items after a one-answer question's options: "Why are we asking this?", then "Go back" (from
#: question 2). A "choose all that apply" list has keys for them instead.
WHY, BACK = 0, 1
WHY_KEY, BACK_KEY = "?", "b"


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


def run_tui(keys: list[str], *argv: str, kb: KnowledgeBase) -> CliResult:
    """Run `muscle-triage` at a (pretend) terminal with these keystrokes, then end of input."""
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text("".join(keys))
        pipe.close()
        with time_limit(120):  # a hang guard, not a timing: a busy machine can take a while
            return run_cli(*argv, tty=True, loader=reusing(kb))


@pytest.fixture
def tui(kb: KnowledgeBase) -> Callable[..., CliResult]:
    """run_tui with the session's shipped knowledge base passed in, loaded once."""
    return partial(run_tui, kb=kb)


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
#: The end menu: "Save my answers to a file", "Show why", "Write a report", "Change an answer",
#: "Quit".
CHANGE, QUIT = select(3), select(4)


def test_routine_path_asks_follow_ups_saves_answers_and_they_replay(
        cli_kb: Callable[..., CliResult], tui: Callable[..., CliResult], kb: KnowledgeBase,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    wanted: dict[str, AnswerValue] = {"weaker": "yes", "onset": "over_months",
                                      "where_affected": ("hands",), "inactivity": ("cast",)}
    keys, answers = walk(kb, wanted)
    # At the checkbox, tick "hands" and press ?: the reason is shown and the question comes back
    # with "hands" still ticked, so Enter alone keeps it.
    checkbox = kb.question("where_affected")
    keys[list(answers).index(checkbox.id)] = SPACE + WHY_KEY + ENTER
    result = tui([START, *keys, select(0), ENTER, QUIT])  # save under the default name
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
    assert f"Savedtheanswersto{saved}" in out.replace(" ", "")  # the full path (rich may fold it)
    data = yaml.safe_load(saved.read_text())
    assert data == {k: list(v) if isinstance(v, tuple) else v for k, v in answers.items()}
    replay = cli_kb("assess", "--answers", str(saved), "--format", "json")
    assert replay.code == 0 and '"ignored": []' in replay.out
    assert f'"level": "{expected.level.id}"' in replay.out


def _first_red_flag(kb: KnowledgeBase) -> Question:
    return next(q for q in kb.questions if q.role == "red_flag")


def test_a_red_flag_ends_the_questions_at_once(tui: Callable[..., CliResult],
                                               kb: KnowledgeBase, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    second = kb.questions[kb.questions.index(_first_red_flag(kb)) + 1]
    assert second.role == "red_flag" and second.raises_to == kb.levels[0].id
    result = tui([START, *OPENING, select(1), select(0), QUIT], "--no-color")  # no, yes
    assert result.code == 0, result.err
    assert "\x1b[" not in result.out
    assert "Question 4 of about" in result.out and "Question 5 of" not in result.out
    out = flat(result.out)
    assert "The questions stop here" in out and kb.levels[0].title in out
    assert kb.notice in out and "Reading" not in out
    assert list(tmp_path.iterdir()) == []


def test_going_back_asks_again_with_the_earlier_answer_suggested(tui: Callable[..., CliResult],
                                                                 kb: KnowledgeBase) -> None:
    first = _first_red_flag(kb)
    options = len(kb.questions[kb.questions.index(first) + 1].options)
    # No to the first red flag; "Go back" at the next; the first again, pointer on the earlier
    # "No": one step up is "Yes", which ends the questions.
    keys = [START, *OPENING, select(1), select(options + BACK), select(0, start=1), QUIT]
    result = tui(keys)
    assert result.code == 0, result.err
    assert re.findall(r"Question (\d+) of", result.out) == ["1", "2", "3", "4", "3"]
    assert "Going back to the previous question." in result.out
    out = flat(result.out)
    assert kb.levels[0].title in out
    assert f"{' '.join(first.text.split()[:6])}" in out.split("How we got here")[1]


def test_asking_why_shows_the_reason_then_the_same_question(tui: Callable[..., CliResult],
                                                            kb: KnowledgeBase) -> None:
    first = _first_red_flag(kb)
    keys = [START, *OPENING, select(len(first.options) + WHY), select(0), QUIT]
    result = tui(keys)
    assert result.code == 0, result.err
    out = flat(result.out)
    assert f"Why we ask: {first.why}" in out
    assert re.findall(r"Question (\d+) of", result.out) == ["1", "2", "3"]
    assert kb.levels[0].title in out  # the re-asked question took the answer


@pytest.mark.parametrize("where", ["start", "question", "end menu"])
def test_ctrl_c_stops_calmly_with_130_and_writes_nothing(
        tui: Callable[..., CliResult], where: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    keys = {"start": [CTRL_C], "question": [START, select(1), CTRL_C],
            "end menu": [START, *OPENING, select(0), CTRL_C]}[where]
    result = tui(keys)
    assert result.code == 130
    assert result.err.strip() == "Stopped. Nothing was saved."
    assert "Traceback" not in result.out + result.err
    assert list(tmp_path.iterdir()) == []


def test_input_ending_mid_questionnaire_is_an_interrupt(tui: Callable[..., CliResult],
                                                        kb: KnowledgeBase) -> None:
    result = tui([START, select(1)])
    assert result.code == 130 and "Stopped." in result.err
    assert "Question 2 of" in result.out and "How we got here" not in result.out


def test_quit_at_the_start_screen(tui: Callable[..., CliResult], kb: KnowledgeBase) -> None:
    result = tui([select(1)])
    assert result.code == 0 and "Question 1" not in result.out
    assert kb.notice in flat(result.out)


def test_replacing_a_saved_file_needs_a_yes(tui: Callable[..., CliResult], kb: KnowledgeBase,
                                            tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "muscle-triage-answers.yaml"
    target.write_text("mine\n")
    os.chmod(target, 0o644)
    save = select(0) + ENTER
    result = tui([START, *OPENING, select(0), save, ENTER, save, "y", QUIT])  # "no", "y"
    assert result.code == 0, result.err
    out = flat(result.out)
    assert "Not saved." in out and "Saved the answers" in out
    assert "sudden_one_sided: 'yes'" in target.read_text() or \
        "sudden_one_sided: yes" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_change_an_answer_mends_a_hasty_emergency_answer(tui: Callable[..., CliResult],
                                                         kb: KnowledgeBase) -> None:
    first = _first_red_flag(kb)
    assert first.values[0] == "yes"
    calm_keys, calm = walk(kb, {})
    at = list(calm).index(first.id)
    # Enter on question 1 (the pointer starts on "Yes") ends the questions at the highest level;
    # "Change an answer", the only answer so far; the pointer is on the earlier "Yes" again, one
    # step down is "No"; then the rest of the questions, answered calmly; then a fresh result.
    keys = [START, *calm_keys[:at], ENTER, CHANGE, select(at), select(1), *calm_keys[at + 1:],
            QUIT]
    result = tui(keys)
    assert result.code == 0, result.err
    out = flat(result.out)
    # (the menus themselves are drawn on prompt_toolkit's output, not captured here)
    before, after = out.split("Your other answers are kept")
    assert "The questions stop here" in before and kb.levels[0].title in before
    asked_after = re.findall(r"Question (\d+) of", after)
    assert asked_after == [str(n) for n in range(at + 1, len(calm) + 1)]
    expected = assess(kb, calm)
    assert expected.level.id != kb.levels[0].id
    assert expected.level.title in after and kb.levels[0].title not in after
    assert "The questions stop here" not in after and kb.notice in after


def test_change_an_answer_keeps_every_later_answer(tui: Callable[..., CliResult],
                                                   kb: KnowledgeBase,
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    wanted: dict[str, AnswerValue] = {"weaker": "yes", "onset": "over_months",
                                      "where_affected": ("hands",), "inactivity": ("cast",)}
    keys, answers = walk(kb, wanted)
    onset = kb.question("onset")
    pick = list(answers).index("onset")
    changed = {**answers, "onset": "over_days"}
    # Change the onset (its pointer starts on the earlier answer, "Slowly, over months"), then
    # save: nothing else is asked, and the saved file holds the new answer with all the others.
    to_days = select(onset.values.index("over_days"), start=onset.values.index("over_months"))
    save = select(0) + ENTER
    result = tui([START, *keys, CHANGE, select(pick), to_days, save, QUIT])
    assert result.code == 0, result.err
    after = flat(result.out).split("Your other answers are kept")[1]
    assert re.findall(r"Question (\d+) of", after) == [str(pick + 1)]
    assert assess(kb, changed).level.title in after
    saved = yaml.safe_load((tmp_path / "muscle-triage-answers.yaml").read_text())
    assert saved == {k: list(v) if isinstance(v, tuple) else v for k, v in changed.items()}


def test_in_a_checkbox_why_and_back_are_keys_not_ticks(tui: Callable[..., CliResult],
                                                       kb: KnowledgeBase) -> None:
    keys, answers = walk(kb, {"weaker": "yes", "where_affected": ("hands",)})
    checkbox = kb.question("where_affected")
    at = list(answers).index(checkbox.id)
    # At the checkbox: tick the first option, press b: back to the question before, answered
    # again with Enter (its earlier answer is suggested); at the checkbox again, Enter keeps
    # nothing ticked (b forgot the tick) ... so tick it, then ? and Enter.
    keys[at] = SPACE + BACK_KEY + ENTER + SPACE + WHY_KEY + ENTER
    # The keys end one question after the checkbox (the routine path above walks on to the
    # result past a checkbox's ?): the later questions would add seconds and test nothing here.
    result = tui([START, *keys[:at + 2]])
    assert result.code == 130 and result.err.strip() == "Stopped. Nothing was saved.", result.err
    assert f"Question {at + 3} of" in result.out  # the keys took it past the checkbox
    numbers = re.findall(r"Question (\d+) of", result.out)
    assert numbers[at:at + 3] == [str(at + 1), str(at), str(at + 1)]
    out = flat(result.out)
    assert "Press ? to see why we ask, or b (or Esc) to go back" in out
    assert f"Why we ask: {checkbox.why}" in out
    assert f"Your answer: {checkbox.options[0].label}" in out
    assert "Why are we asking this?" not in out.split(checkbox.text)[1].split("Your answer")[0]


def test_the_welcome_box_says_what_texts_yaml_says(tui: Callable[..., CliResult],
                                                   kb: KnowledgeBase) -> None:
    out = flat(tui([select(1)]).out)  # "Quit" at the start screen
    assert kb.texts.welcome in out and kb.texts.how_it_runs in out and kb.notice in out
