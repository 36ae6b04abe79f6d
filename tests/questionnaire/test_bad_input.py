"""Each class of bad input and the exact message it gets (the table in docs/bad-input.md).

Rule files go through ``check`` (exit 1, every problem as FILE:LINE: ...), answers files through
``assess`` (exit 2, one message naming the file and line, or the question and allowed values).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.load.paths import shipped_rules_dir
from engine.load.yaml_reader import MAX_BYTES
from engine.model import KnowledgeBase
from tests.conftest import CliResult, replace_in, reusing, run_cli
from tests.fuzz.properties import reuse_unchanged_files
from tests.fuzz.strategies import ALIAS_BOMB

RAN = "touch ran-marker"

#: (class, edit of levels.yaml as (old, new) or a whole content, the problem line printed).
#: {L} is the line of the edit, so the cases survive edits elsewhere in the shipped file; a
#: message ending in "…" is compared up to there (the rest lists what the schema allows).
#: The title of level 'soon', worded by audience.
SOON_TITLE = ("    title:\n      self: See a doctor soon\n"
              "      other: They should see a doctor soon\n"
              "      child: Your child should see a doctor soon\n"
              "      baby: Your baby should see a doctor soon\n")
RULE_FILE_CASES: list[tuple[str, tuple[str, str] | str | bytes, str]] = [
    ("malformed YAML", (SOON_TITLE, "    title: [See a doctor soon\n"),
     "rules/levels.yaml:{L+1}: expected ',' or ']', but got ':'"),
    ("duplicate key", (SOON_TITLE, "    title: Soon\n    title: x\n"),
     "rules/levels.yaml:{L+1}: duplicate key 'title' (first on line {L})"),
    ("alias bomb (billion laughs)", ALIAS_BOMB,
     "rules/levels.yaml:1: anchors (&name) are not allowed here: write each value where it is "
     "used"),
    ("python tag", (SOON_TITLE, f"    title: !!python/object/apply:os.system [{RAN}]\n"),
     "rules/levels.yaml:{L}: the tag '!!python/object/apply:os.system' is not allowed (only "
     "plain YAML is read; nothing in a file is ever run)"),
    ("invalid UTF-8", b"levels:\n  - id: \xff\n", "rules/levels.yaml:2: not valid UTF-8 text"),
    ("empty file", "",
     "rules/levels.yaml:1: the file is empty; a levels file needs 'levels', 'default_level', "
     "'notice'"),
    ("too large", "#" * (MAX_BYTES + 1), "rules/levels.yaml: larger than 1024 KiB; refusing to "
     "read it"),
    ("wrong type", (SOON_TITLE, "    title: 5\n"),
     "rules/levels.yaml:{L}: level 'soon': must be non-empty text, or a mapping of whole "
     "sentences by audience (self, adult, child, baby, other)"),
    ("missing key", (SOON_TITLE, ""),
     "rules/levels.yaml:{L-1}: level 'soon': missing required key 'title'"),
    ("unknown key", (SOON_TITLE, "    colour: red\n    title: Soon\n"),
     "rules/levels.yaml:{L}: level 'soon': unknown key 'colour' (allowed: advice, id, …"),
    ("unknown name", ("default_level: routine", "default_level: routin"),
     "rules/levels.yaml:{L}: unknown level 'routin' (did you mean 'routine'?); levels are "
     "emergency, urgent, soon, routine"),
]

#: (class, answers file name, content, the message printed)
ANSWERS_CASES: list[tuple[str, str, str | bytes, str]] = [
    ("unknown question", "me.yaml", "weeker: yes\n",
     "me.yaml:1: unknown question 'weeker' (did you mean 'weaker'?); 'muscle-triage questions' "
     "lists them"),
    ("a question id that was replaced", "me.yaml", "dark_urine_with_muscle_pain: yes\n",
     "me.yaml:1: question 'dark_urine_with_muscle_pain' was replaced by 'dark_or_little_pee', "
     "which asks something different, so its answer is not carried over; answer "
     "'dark_or_little_pee' instead"),
    ("value not allowed", "me.yaml", "onset: yesterday\n",
     "me.yaml:1: question 'onset': 'yesterday' is not an allowed answer; allowed: suddenly, "
     "over_hours, over_days, over_weeks, over_months, unsure"),
    ("list for a one-answer question", "me.yaml", "weaker: [yes, no]\n",
     "me.yaml:1: question 'weaker' takes one answer, not a list; allowed: yes, no, unsure"),
    ("'Not sure' ticked with another answer", "me.yaml",
     "weaker: yes\nwhere_affected: [hands, unsure]\n",
     "me.yaml:2: question 'where_affected': 'Not sure' goes on its own: choose it alone, or "
     "choose the others without it"),
    ("'None of these' ticked with a medicine (JSON)", "me.json",
     '{"weaker": "yes",\n "medicines": ["statin", "None of these"]}\n',
     "me.json:2: question 'medicines': 'None of these' goes on its own: choose it alone, or "
     "choose the others without it"),
    ("not a mapping", "me.yaml", "- weaker\n- yes\n",
     "me.yaml:1: answers must be a mapping of question id to answer, e.g. 'weaker: yes'"),
    ("malformed YAML", "me.yaml", "weaker: yes\nonset: [over_weeks\n",
     "me.yaml:3: expected ',' or ']', but got '<stream end>'"),
    ("duplicate key", "me.yaml", "weaker: yes\nweaker: no\n",
     "me.yaml:2: duplicate key 'weaker' (first on line 1)"),
    ("duplicate key (JSON)", "me.json", '{"weaker": "yes",\n "weaker": "no"}\n',
     "me.json:2: duplicate key 'weaker' (first on line 1)"),
    ("malformed JSON", "me.json", '{"weaker": "yes",\n "onset": }\n',
     "me.json:2: not valid JSON: Expecting value"),
    ("anchor and alias", "me.yaml", "weaker: &w yes\nmuscles_smaller: *w\n",
     "me.yaml:1: anchors (&name) are not allowed here: write each value where it is used"),
    ("merge key", "me.yaml", "<<: {weaker: yes}\n",
     "me.yaml:1: merge keys (<<) are not allowed here: write each key where it is used"),
    ("python tag", "me.yaml", f"weaker: !!python/object/apply:os.system [{RAN}]\n",
     "me.yaml:1: the tag '!!python/object/apply:os.system' is not allowed (only plain YAML is "
     "read; nothing in a file is ever run)"),
    ("any other tag", "me.yaml", "weaker: yes\nonset: !!str over_weeks\n",
     "me.yaml:2: the tag '!!str' is not allowed (only plain YAML is read; nothing in a file is "
     "ever run)"),
    ("invalid UTF-8", "me.yaml", b"weaker: yes\nonset: \xff\n", "me.yaml:2: not valid UTF-8 text"),
    ("terminal escape", "me.yaml", "weaker: yes\x1b[31m\n",
     "me.yaml:1: the character U+001B (ESCAPE) is not allowed: control, bidi and invisible "
     "format characters can change what a reader's screen shows"),
    ("terminal escape written as a YAML escape", "me.yaml", 'weaker: yes\nonset: "\\e]0;x\\a"\n',
     "me.yaml:2: the character U+001B (ESCAPE) is not allowed: control, bidi and invisible "
     "format characters can change what a reader's screen shows"),
    ("terminal escape written as a JSON escape", "me.json",
     '{"weaker": "yes",\n "onset": "\\u001b[2J"}\n',
     "me.json:2: the character U+001B (ESCAPE) is not allowed: control, bidi and invisible "
     "format characters can change what a reader's screen shows"),
    ("bidi override", "me.yaml", "weaker: yes\nonset: over\u202e_weeks\n",
     "me.yaml:2: the character U+202E (RIGHT-TO-LEFT OVERRIDE) is not allowed: control, bidi "
     "and invisible format characters can change what a reader's screen shows"),
    ("duplicate key spelt with an escape (JSON)", "me.json",
     '{"weaker": "yes",\n "\\u0077eaker": "no"}\n',
     "me.json:2: duplicate key 'weaker' (first on line 1)"),
    ("lookalike key (Cyrillic e)", "me.yaml", "w\u0435aker: yes\n",
     "me.yaml:1: unknown question 'w\\u0435aker' (did you mean 'weaker'?); 'muscle-triage "
     "questions' lists them"),
    ("empty file", "me.yaml", "",
     "me.yaml: holds no answers (it is empty); to be assessed on no answers at all, write {}"),
    ("comments alone", "me.yaml", "# weaker: yes\n",
     "me.yaml: holds no answers (it is empty); to be assessed on no answers at all, write {}"),
    ("tab indentation", "me.yaml", "weaker: yes\n\tonset: over_weeks\n",
     "me.yaml:2: found character '\\t' that cannot start any token"),
    ("binary garbage", "me.yaml", b"\x89PNG\r\n\x1a\n\x00\x00", "me.yaml:1: not valid UTF-8 text"),
    ("nested too deeply", "me.yaml", "weaker: " + "[" * 70 + "]" * 70 + "\n",
     "me.yaml:1: nested more than 64 levels deep"),
    ("unreadable value", "me.yaml", "weaker: 0x_\n",
     "me.yaml:1: cannot read the value '0x_': \"invalid literal for int() with base 16: ''\""),
    ("too large", "me.yaml", "#" * (MAX_BYTES + 1),
     "me.yaml: larger than 1024 KiB; refusing to read it"),
]


@pytest.fixture(autouse=True, scope="module")
def _parse_unchanged_files_once() -> Iterator[None]:
    """Each case breaks one file; the others are read once for the module (tests/fuzz)."""
    with reuse_unchanged_files(shipped_rules_dir()):
        yield


@pytest.fixture
def in_tmp(tmp_path: Path, rules_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return rules_copy


@pytest.mark.parametrize(("kind", "edit", "expected"), RULE_FILE_CASES,
                         ids=[case[0] for case in RULE_FILE_CASES])
def test_bad_rule_file_gets_file_line_and_words(in_tmp: Path, kind: str,
                                                edit: tuple[str, str] | str | bytes,
                                                expected: str) -> None:
    levels = in_tmp / "levels.yaml"
    line = 0
    if isinstance(edit, tuple):
        line = replace_in(levels, *edit)
    elif isinstance(edit, bytes):
        levels.write_bytes(edit)
    else:
        levels.write_text(edit, encoding="utf-8")
    for name, value in (("{L}", line), ("{L+1}", line + 1), ("{L-1}", line - 1)):
        expected = expected.replace(name, str(value))
    result = run_cli("check", "--rules", "rules")
    assert result.code == 1
    problem, summary = result.err.splitlines()
    assert summary == "muscle-triage: the knowledge base has 1 problem"
    if expected.endswith("…"):
        assert problem.startswith(expected[:-1]), problem
    else:
        assert problem == expected
    assert not Path("ran-marker").exists()


def test_missing_rule_file_is_named(in_tmp: Path) -> None:
    (in_tmp / "sources.yaml").unlink()
    result = run_cli("check", "--rules", "rules")
    assert result.code == 1
    assert result.err.startswith("rules/sources.yaml: missing: a knowledge base needs "
                                 "sources.yaml\n")


@pytest.mark.parametrize(("kind", "name", "content", "expected"), ANSWERS_CASES,
                         ids=[case[0] for case in ANSWERS_CASES])
def test_bad_answers_file_gets_file_line_or_question(cli_kb: Callable[..., CliResult],
                                                     in_tmp: Path, kind: str, name: str,
                                                     content: str | bytes,
                                                     expected: str) -> None:
    path = Path(name)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = cli_kb("assess", "--answers", name)
    assert result.code == 2
    assert result.err == f"muscle-triage: {expected}\n"
    assert result.out == ""
    assert not Path("ran-marker").exists()


def test_missing_answers_file_is_named(cli_kb: Callable[..., CliResult], in_tmp: Path) -> None:
    result = cli_kb("assess", "--answers", "nope.yaml")
    assert (result.code, result.err) == (2, "muscle-triage: nope.yaml: cannot read: no such "
                                            "file\n")


def test_alias_bomb_is_refused_at_once() -> None:
    """Refused at the first anchor, before anything is expanded."""
    from engine.load.yaml_reader import YamlError, parse_yaml

    with pytest.raises(YamlError, match="anchors"):
        parse_yaml(ALIAS_BOMB, "bomb.yaml")


def test_endless_standard_input_is_not_read_to_the_end(kb: KnowledgeBase) -> None:
    import io

    from questionnaire.cli import run
    from questionnaire.environment import Environment

    endless = io.BytesIO(b"#" * (3 * MAX_BYTES))
    env = Environment(io.TextIOWrapper(endless), io.StringIO(), io.StringIO(), loader=reusing(kb))
    assert run(["assess", "--answers", "-"], env) == 2
    assert env.stderr.getvalue() == ("muscle-triage: <stdin>: larger than 1024 KiB; refusing to "
                                     "read it\n")
    assert endless.tell() <= MAX_BYTES + 1


#: Injection through a rule file: (class, file, old, new, the problem printed). {L} is the line.
INJECTION_CASES = [
    ("ESC in a rule title (YAML escape)", "muscle_changes.rules.yaml",
     "title: Muscle loss, weakness or harder tasks reported",
     'title: "You hax\\e[Dve ALS"',
     "rules/muscle_changes.rules.yaml:{L}: the character U+001B (ESCAPE) is not allowed: "
     "control, bidi and invisible format characters can change what a reader's screen shows"),
    ("OSC 52 clipboard write", "muscle_changes.rules.yaml",
     "title: Muscle loss, weakness or harder tasks reported",
     'title: "\\u001b]52;c;aGk=\\a"',
     "rules/muscle_changes.rules.yaml:{L}: the character U+001B (ESCAPE) is not allowed: "
     "control, bidi and invisible format characters can change what a reader's screen shows"),
    ("Cyrillic letter in a diagnosis", "muscle_changes.rules.yaml",
     "title: Muscle loss, weakness or harder tasks reported",
     "title: You h\u0430ve muscle wasting",
     "rules/muscle_changes.rules.yaml:{L-1}: rule 'muscle_change_reported': wording: 'You have' "
     "tells the reader what they have: rephrase as guidance or reading"),
    ("link that closes rich's link tag", "reading.yaml",
     "link: https://medlineplus.gov/ency/article/003188.htm",
     'link: "https://good.example/]x[/link][link=https://evil.example"',
     "rules/reading.yaml:{L}: reading 'muscle_wasting': 'link' must be an https:// address of "
     "printable ASCII with no spaces, brackets, quotes or backslashes (write other characters "
     "%-encoded)"),
    ("id ending in a line break", "questions.yaml", "  - id: weaker\n", '  - id: "weaker\\n"\n',
     "rules/questions.yaml:{L}: question 'weaker\\n': 'id' must be lower_snake_case: a letter, "
     "then letters, digits and single underscores"),
]


@pytest.mark.parametrize(("kind", "name", "old", "new", "expected"), INJECTION_CASES,
                         ids=[case[0] for case in INJECTION_CASES])
def test_text_that_would_act_on_the_terminal_is_refused_at_load(
        in_tmp: Path, kind: str, name: str, old: str, new: str, expected: str) -> None:
    line = replace_in(in_tmp / name, old, new)
    for mark, value in (("{L}", line), ("{L-1}", line - 1)):
        expected = expected.replace(mark, str(value))
    result = run_cli("check", "--rules", "rules")
    assert result.code == 1
    assert expected in result.err.splitlines(), result.err
    assert "\x1b" not in result.err + result.out


@pytest.mark.parametrize("argv", [
    ["--x\x1b[2J"], ["explain", "rf\x1b[2J\nrules/levels.yaml:1: all fine"],
    ["demo", "x\x1b]0;t\x07"], ["assess", "--answers", "a\nFAKE.yaml:1: b\x1b"],
    ["graph", "-o", "x\x1b\ny"], ["export", "fhir", "-o", "/nowhere/\x1b[2J\nq.json"],
])
def test_an_argument_echoed_in_a_message_is_escaped_and_one_line(
        cli_kb: Callable[..., CliResult], in_tmp: Path, argv: list[str]) -> None:
    result = cli_kb(*argv)
    assert result.code == 2
    assert "\x1b" not in result.err and "\x07" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("(try ")), result.err


@pytest.mark.slow
def test_the_bad_input_table_in_docs_is_what_the_tool_says_today() -> None:
    """docs/bad-input.md is made from real runs: regenerate it with tests/bad_input_table.py."""
    from tests.bad_input_table import DOC, table

    assert DOC.read_text(encoding="utf-8") == table(), (
        "docs/bad-input.md is out of date: uv run python -m tests.bad_input_table")


@pytest.mark.parametrize(("setup", "expected"), [
    ("missing", "nope: no such directory"),
    ("file", "me.yaml: not a directory (--rules takes the directory that holds the rule files)"),
    ("dangling", "gone: a symbolic link to a directory that does not exist"),
    ("unreadable", "locked: cannot read the directory: Permission denied"),
])
def test_a_rules_directory_that_cannot_be_used_is_named_in_its_own_words(
        in_tmp: Path, monkeypatch: pytest.MonkeyPatch, setup: str, expected: str) -> None:
    import errno
    import os

    name = {"missing": "nope", "file": "me.yaml", "dangling": "gone", "unreadable": "locked"}[setup]
    if setup == "file":
        Path(name).write_text("{}\n")
    elif setup == "dangling":
        Path(name).symlink_to("nowhere")
    elif setup == "unreadable":  # as root, permissions do not stop us: the refusal is simulated
        Path(name).mkdir()
        real = os.listdir

        def denied(path: object = ".") -> list[str]:
            if str(path) == name:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
            return real(path)  # type: ignore[arg-type]

        monkeypatch.setattr("os.listdir", denied)
    result = run_cli("check", "--rules", name)
    assert result.code == 1
    assert result.err.splitlines() == [expected, "muscle-triage: the knowledge base has 1 problem"]
