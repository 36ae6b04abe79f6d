"""Teaching mode on the command line: assess --watch / --step, and the demo command."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.load.wording_lint import diagnostic_wording
from engine.model import KnowledgeBase
from engine.run.assess import assess
from engine.run.watch import Event
from engine.verify.demos import load_demos
from questionnaire.cli import run
from questionnaire.environment import Environment
from questionnaire.render.watch_view import LEGEND, STEP_PROMPT, describe
from tests.answer_paths import answer_path
from tests.conftest import CliResult, replace_in, run_cli
from tests.questionnaire.terminal.test_plain import number_for

BLOCKED = "weaker: yes\nonset: over_months\ntwitching_or_cramps: yes\ninactivity: [cast]\n"
EVENT_LINE = re.compile(r"^ {0,3}(\d+)  (assert|retract|activate|deactivate|FIRE) +\S")
PROMPT = "Enter: next step"


@pytest.fixture
def answers_file(tmp_path: Path) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(BLOCKED, encoding="utf-8")
    return path


def event_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if EVENT_LINE.match(line)]


def test_watch_prints_one_numbered_line_per_event_then_the_same_result(
        answers_file: Path) -> None:
    plain = run_cli("assess", "--answers", str(answers_file))
    watched = run_cli("assess", "--answers", str(answers_file), "--watch")
    assert watched.code == plain.code == 0
    lines = event_lines(watched.out)
    assert [int(EVENT_LINE.match(line).group(1)) for line in lines] == list(  # type: ignore[union-attr]
        range(1, len(lines) + 1))
    # Every event is a single line: the line after each one is another event or the ending.
    body = watched.out.splitlines()
    last = body.index(lines[-1])
    assert body[body.index(lines[0]):last + 1] == lines
    assert "deactivate  disuse_context: after f-3 other_signs was asserted" in watched.out
    assert "FIRE" in watched.out and "salience 2 beats disuse_context's 1" in watched.out
    assert "The agenda is empty, so the engine stops after 6 firings." in watched.out
    assert watched.out.endswith(plain.out)  # the result itself is untouched


class _Keys(io.StringIO):
    """Keys typed at --step's prompts, noting the last step shown when each one is read."""

    def __init__(self, env: Environment, typed: str) -> None:
        super().__init__(typed)
        self.env = env
        self.seen_at_pause: list[str] = []

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        self.seen_at_pause.append(event_lines(self.env.stdout.getvalue())[-1])  # type: ignore[attr-defined]
        return super().readline()


def test_step_pauses_after_each_firing_until_q(answers_file: Path) -> None:
    env = Environment.captured()
    keys = env.stdin = _Keys(env, "\n\nq\n")
    assert run(["assess", "--answers", str(answers_file), "--step"], env) == 0
    out, err = env.stdout.getvalue(), env.stderr.getvalue()  # type: ignore[attr-defined]
    assert err.count(PROMPT) == 3 and PROMPT not in out  # two Enters, then q runs to the end
    firings = [line for line in event_lines(out) if line.split()[1] == "FIRE"]
    assert keys.seen_at_pause == firings[:3]  # each pause comes right after a firing
    assert "The agenda is empty" in out


def test_step_runs_to_the_end_when_its_input_ends(answers_file: Path) -> None:
    result = run_cli("assess", "--answers", str(answers_file), "--step", stdin="")
    assert result.code == 0 and result.err.count(PROMPT) == 1
    assert sum(line.split()[1] == "FIRE" for line in event_lines(result.out)) == 6


def test_step_refuses_answers_from_standard_input() -> None:
    result = run_cli("assess", "--answers", "-", "--step", stdin=BLOCKED)
    assert result.code == 2
    assert "--step reads Enter from standard input" in result.err and result.out == ""


def test_watch_refuses_json() -> None:
    result = run_cli("assess", "--answers", "-", "--watch", "--format", "json", stdin=BLOCKED)
    assert result.code == 2 and "--format json" in result.err and result.out == ""


def test_watch_with_colour_on_a_terminal_and_plain_with_no_color(answers_file: Path) -> None:
    coloured = run_cli("assess", "--answers", str(answers_file), "--watch", tty=True)
    assert "\x1b[" in coloured.out and "deactivate" in coloured.out
    plain = run_cli("assess", "--answers", str(answers_file), "--watch", tty=True,
                    environ={"NO_COLOR": "1"})
    assert "\x1b[" not in plain.out and event_lines(plain.out)


def test_demo_lists_the_shipped_demos() -> None:
    result = run_cli("demo")
    assert result.code == 0
    for name in ("red_flag", "rule_chain", "not_blocks"):
        assert re.search(rf"^  {name} +\S", result.out, re.MULTILINE)


def test_unknown_demo_suggests_the_closest_name() -> None:
    result = run_cli("demo", "rule_chian")
    assert result.code == 2 and "did you mean 'rule_chain'?" in result.err


# The engine side of every demo's lesson is in tests/engine/run/test_watch.py; two runs here show
# the frame.
@pytest.mark.parametrize(("name", "lesson"), [
    ("rule_chain", "assert      f-2 muscle_change, derived by muscle_change_reported"),
    ("not_blocks", "deactivate  disuse_context"),
])
def test_each_demo_introduces_itself_then_shows_its_lesson(name: str, lesson: str) -> None:
    result = run_cli("demo", name)
    assert result.code == 0
    intro, _, watched = result.out.partition("Watching the rule engine")
    assert "Watch" in intro and "The answers:" in intro
    assert lesson in watched
    assert "This tool is for education only" in watched  # the result still carries the notice


def test_a_broken_demo_names_file_and_line(rules_copy: Path) -> None:
    line = replace_in(rules_copy / "teaching.scenarios.yaml", "sudden_one_sided: yes",
                      "sudden_one_sided: maybe")
    result = run_cli("demo", "--rules", str(rules_copy))
    assert result.code == 1
    assert re.search(rf"teaching\.scenarios\.yaml:{line}: case 'red_flag': .*'maybe'.*yes, no",
                     result.err)


def test_a_knowledge_base_without_demos_says_so(rules_copy: Path) -> None:
    (rules_copy / "teaching.scenarios.yaml").unlink()
    result = run_cli("demo", "--rules", str(rules_copy))
    assert result.code == 0 and "no demos" in result.err


def test_a_demo_introduction_is_held_to_the_wording_rules(rules_copy: Path) -> None:
    path = rules_copy / "teaching.scenarios.yaml"
    replace_in(path, "Red-flag questions come first.",
               "Red-flag questions come first. You probably have nothing serious.")
    case_line = path.read_text(encoding="utf-8").splitlines().index("  - id: red_flag") + 1
    result = run_cli("demo", "--rules", str(rules_copy))
    assert result.code == 1
    assert f"teaching.scenarios.yaml:{case_line}: case 'red_flag': wording: 'You probably have'" \
        in result.err


def test_the_watch_words_hold_to_the_wording_rules(kb: KnowledgeBase) -> None:
    texts = [LEGEND, STEP_PROMPT]
    for demo in load_demos(kb):
        events: list[Event] = []
        assess(kb, demo.answers, events.append)
        texts += [" ".join(describe(event)) for event in events]
    assert len(texts) > 40
    assert [(text, found) for text in texts if (found := diagnostic_wording(text))] == []


def test_watch_on_the_questionnaire_shows_the_steps_before_the_same_result(
        cli_kb: Callable[..., CliResult], kb: KnowledgeBase) -> None:
    path = answer_path(kb, {"weaker": "yes", "twitching_or_cramps": "yes",
                            "inactivity": ("cast",)})
    typed = "\n".join(number_for(question, value) for question, value in path) + "\n"
    watched = cli_kb("--plain", "--watch", stdin=typed)
    plain = cli_kb("--plain", stdin=typed)
    assert watched.code == plain.code == 0, watched.err
    assert "deactivate  disuse_context: after f-3 other_signs was asserted" in watched.out
    # The watch is inserted between the last question and the result; nothing else changes.
    before, legend, rest = watched.out.partition("Watching the rule engine")
    steps, ending, after = rest.partition("The agenda is empty, so the engine stops after ")
    assert legend and ending and len(event_lines(steps)) > 10
    assert before + after.split("\n\n", 1)[1] == plain.out


def test_watch_before_the_command_is_honoured(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run_cli

    answers = tmp_path / "a.yaml"
    answers.write_text("weaker: yes\n", encoding="utf-8")
    before = run_cli("--watch", "assess", "--answers", str(answers))
    after = run_cli("assess", "--answers", str(answers), "--watch")
    assert before.code == after.code == 0
    assert "FIRE" in before.out

    def events(out: str) -> list[str]:  # activation order among equals is not a contract,
        # nor, then, is the reason given for each firing (which of the equals went first)
        return sorted(line.split(None, 1)[-1].split(": ")[0]
                      for line in out.splitlines() if line.strip())

    assert events(before.out) == events(after.out)


def test_the_demo_list_shows_no_markup() -> None:
    result = run_cli("demo")
    assert result.code == 0 and "`" not in result.out
    assert "'not'" in result.out
