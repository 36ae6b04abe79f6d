"""Plain mode: numbered line prompts driven through standard input, as a pipe or screen reader."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Mapping
from pathlib import Path

import pytest

from engine.load.wording_lint import diagnostic_wording
from engine.model import AnswerValue, KnowledgeBase, Question
from engine.run.assess import assess
from tests.answer_paths import answer_path, loaded_once
from tests.conftest import run_cli

pytestmark = pytest.mark.usefixtures(loaded_once.__name__)
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


def test_a_piped_run_re_asks_explains_goes_back_and_completes(kb: KnowledgeBase) -> None:
    wanted: dict[str, AnswerValue] = {"weaker": "yes", "onset": "over_weeks",
                                      "where_affected": ("feet_ankles", "hands")}
    lines, answers = plain_walk(kb, wanted)
    first = kb.questions[0]
    # question 1: a number out of range, a word that fits nothing, an ambiguous start, "why",
    # then "no"; question 2: back; question 1 again: "No" as a word.
    lines[0:1] = ["7", "maybe", "n", "?", "2", "b", "No"]
    result = run_cli(stdin="\n".join(lines) + "\n")  # input ends at the end menu: a normal end
    assert result.code == 0, result.err
    out = result.out
    assert "  1) Yes  2) No  3) Not sure" in out
    assert "There is no option 7: choose from 1 to 3." in out
    assert "Please type a number from 1 to 3" in out
    assert "'n' could mean No or Not sure: type the number." in out
    assert f"Why we ask: {first.why}" in flat(out)
    assert "(Earlier you answered 2.)" in out
    assert re.findall(r"Question (\d+) of", out)[:3] == ["1", "2", "1"]
    expected = assess(kb, answers)
    assert expected.level.title in out and kb.notice in flat(out)
    assert "\x1b" not in out and not BOX_DRAWING.search(out)
    assert "What next?" in out and "1) Save my answers to a file  2) Show why" in out
    assert "4) Quit" in out
    assert diagnostic_wording(flat(out).replace(kb.notice, "")) == []


def test_plain_mode_saves_answers_that_replay_exactly(kb: KnowledgeBase, tmp_path: Path) -> None:
    lines, answers = plain_walk(kb, {"muscles_smaller": "unsure", "inactivity": ("bed_rest",),
                                     "other_illness": ("cancer",)})
    target = tmp_path / "mine.yaml"
    result = run_cli(stdin="\n".join([*lines, "1", str(target), "4"]) + "\n")
    assert result.code == 0, result.err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    replay = run_cli("assess", "--answers", str(target), "--format", "json")
    data = json.loads(replay.out)
    assert data["answers"] == {k: v if isinstance(v, str) else list(v)
                               for k, v in answers.items()}
    assert data["urgency"]["level"] == assess(kb, answers).level.id
    assert data["ignored"] == []


def test_plain_save_refuses_to_replace_a_file_without_a_yes(kb: KnowledgeBase,
                                                            tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    target.write_text("precious\n")
    result = run_cli(stdin=f"1\n1\n{target}\nn\n4\n")  # yes to question 1, save, decline, quit
    assert result.code == 0, result.err
    assert "already exists. Replace it? (y/N)" in result.out and "Not saved." in result.out
    assert target.read_text() == "precious\n"


@pytest.mark.parametrize("typed", ["", "2\n2\n", "1\n1\n"])
def test_end_of_input_before_the_result_exits_130_and_writes_nothing(
        typed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(stdin=typed)  # "1\n1\n": an emergency, "save", input ends at the name
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


@pytest.mark.parametrize(("argv", "environ"), [(["--plain"], {}), ([], {"TERM": "dumb"})])
def test_plain_at_a_terminal_when_asked_or_on_a_dumb_terminal(
        kb: KnowledgeBase, argv: list[str], environ: dict[str, str]) -> None:
    result = run_cli(*argv, stdin="1\n2\n", environ=environ, tty=True)
    assert result.code == 0, result.err
    assert "Your answer (1-3, ? why): " in result.out
    assert kb.levels[0].title in result.out
    assert "\x1b" not in result.out and not BOX_DRAWING.search(result.out)


def test_a_save_finished_as_ctrl_c_came_is_named_in_the_stop_message(
        kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from questionnaire.files import InterruptedAfterWriting

    def finished_then_stopped(path: Path, content: str | bytes, *, force: bool = False) -> Path:
        Path(path).write_text(str(content))
        raise InterruptedAfterWriting(Path(path))

    monkeypatch.setattr("questionnaire.terminal.end_menu.write_private", finished_then_stopped)
    lines, _ = plain_walk(kb, {})
    target = tmp_path / "mine.yaml"
    result = run_cli(stdin="\n".join([*lines, "1", str(target), "4"]) + "\n")
    assert result.code == 130
    assert f"Stopped. {target} was written just before." in result.err
    assert "Nothing was saved" not in result.err
