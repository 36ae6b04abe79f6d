"""'Not sure' and 'Does not apply' at the prompts: offered, taken, and never ticked with others."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from engine.model import KnowledgeBase
from questionnaire.environment import Environment
from questionnaire.flow import Progress, Questionnaire
from tests.answer_paths import answer_path
from tests.conftest import run_cli
from tests.engine.load.test_offered_answers import where_with_does_not_apply
from tests.questionnaire.terminal.test_plain import number_for

ENTER, DOWN, SPACE = "\r", "\x1b[B", " "


def test_plain_the_age_question_can_be_answered_does_not_apply(kb: KnowledgeBase,
                                                               tmp_path: Path) -> None:
    path = answer_path(kb, {"age": "40_to_59", "age_at_start": "not_applicable"})
    age = kb.question("age_at_start")
    lines = [number_for(q, v) for q, v in path]
    target = tmp_path / "mine.yaml"
    result = run_cli(stdin="\n".join([*lines, "1", str(target), "5"]) + "\n")
    assert result.code == 0, result.err
    count = len(age.options)
    assert f"  {count - 1}) Not sure\n  {count}) Does not apply\n" in result.out
    assert kb.question("child_signs").text not in result.out  # not asked of an adult
    assert yaml.safe_load(target.read_text())["age_at_start"] == "not_applicable"


def test_plain_not_sure_goes_alone(kb: KnowledgeBase) -> None:
    path = answer_path(kb, {"weaker": "yes", "where_affected": ("hands",)})
    where = kb.question("where_affected")
    lines = [number_for(q, v) for q, v in path]
    at = [q.id for q, _ in path].index(where.id)
    unsure = where.values.index("unsure") + 1
    lines[at:at + 1] = [f"1,{unsure}", "1"]  # hands with "Not sure", then hands alone
    result = run_cli(stdin="\n".join(lines) + "\n")
    assert result.code == 0, result.err
    assert ("'Not sure' goes on its own: choose it alone, or choose the others without "
            "it.") in result.out
    assert re.findall(r"Question (\d+) of", result.out).count(str(at + 1)) == 1  # re-asked


def test_plain_does_not_apply_goes_alone(rules_copy: Path) -> None:
    kb = where_with_does_not_apply(rules_copy)
    path = answer_path(kb, {"weaker": "yes", "where_affected": ("hands",)})
    where = kb.question("where_affected")
    lines = [number_for(q, v) for q, v in path]
    at = [q.id for q, _ in path].index(where.id)
    lines[at:at + 1] = [f"1,{len(where.options)}", "1"]  # hands with "Does not apply", then hands
    result = run_cli("--rules", str(rules_copy), stdin="\n".join(lines) + "\n")
    assert result.code == 0, result.err
    assert ("'Does not apply' goes on its own: choose it alone, or choose the others without "
            "it.") in result.out
    assert re.findall(r"Question (\d+) of", result.out).count(str(at + 1)) == 1  # re-asked


def test_plain_none_of_these_goes_alone(kb: KnowledgeBase) -> None:
    path = answer_path(kb, {"medicines": ("statin",)})
    medicines = kb.question("medicines")
    lines = [number_for(q, v) for q, v in path]
    at = [q.id for q, _ in path].index(medicines.id)
    none = medicines.values.index("none") + 1
    lines[at:at + 1] = [f"1,{none}", "1"]  # a statin with "None of these", then the statin
    result = run_cli(stdin="\n".join(lines) + "\n")
    assert result.code == 0, result.err
    assert "'None of these' goes on its own: choose it alone" in result.out


def test_menus_refuse_not_sure_ticked_with_another_answer(kb: KnowledgeBase) -> None:
    from questionnaire.terminal.menus import QuestionaryFrontEnd

    where = kb.question("where_affected")
    last = where.values.index("unsure")
    env = Environment.captured(tty=True)
    # tick "Hands", tick "Not sure", Enter (refused: the list stays), untick it, Enter
    keys = SPACE + DOWN * last + SPACE + ENTER + SPACE + ENTER
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(keys)
        pipe.close()
        reply = QuestionaryFrontEnd(env).ask(where, Progress(1, 1), None, can_go_back=False)
    assert reply == ("hands",)
    run = Questionnaire(kb)
    run.answers = {"weaker": "yes"}  # where_affected applies
    while (question := run.current()) is not None and question.id != where.id:
        run.answer(question.values[1] if question.kind != "several_of" else ())
    with pytest.raises(ValueError, match="'Not sure' goes on its own"):
        run.answer(("hands", "unsure"))


def test_menus_take_not_sure_alone(kb: KnowledgeBase) -> None:
    from questionnaire.terminal.menus import QuestionaryFrontEnd

    medicines = kb.question("medicines")
    env = Environment.captured(tty=True)
    keys = DOWN * medicines.values.index("unsure") + SPACE + ENTER
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(keys)
        pipe.close()
        reply = QuestionaryFrontEnd(env).ask(medicines, Progress(1, 1), None, can_go_back=False)
    assert reply == ("unsure",)


def test_menus_take_nothing_ticked_as_the_lists_own_none_of_these(kb: KnowledgeBase) -> None:
    """Enter with nothing ticked, in a list with its own "None of these", records that option
    (``Question.none_chosen``): the one value every front end gives for it."""
    from questionnaire.terminal.menus import QuestionaryFrontEnd

    medicines = kb.question("medicines")
    assert "none" in medicines.alone
    env = Environment.captured(tty=True)
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(ENTER)
        pipe.close()
        reply = QuestionaryFrontEnd(env).ask(medicines, Progress(1, 1), None, can_go_back=False)
    assert reply == ("none",) == medicines.none_chosen
