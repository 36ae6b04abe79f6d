"""`explain ID` (what the knowledge base says about one id) and `graph` (the rule network)."""

from __future__ import annotations

import re
import shutil
import stat
from pathlib import Path

import pytest

from engine.conditions import questions_read
from engine.load.knowledge_base import load_knowledge_base
from engine.model import KnowledgeBase
from engine.run.assess import assess
from questionnaire.environment import Environment
from questionnaire.render.cards import cards_for
from questionnaire.render.network_picture import (
    GraphvizMissing,
    highlight,
    rule_network,
    to_dot,
    to_mermaid,
    to_svg,
)
from questionnaire.render.scenario_refs import read_cases
from questionnaire.render.why_tree import render_explanation
from tests.conftest import run_cli

SCENARIOS = """\
cases:
  - id: cast_only
    answers: {weaker: yes, inactivity: [cast]}
    expect: {urgency: routine, fires: [disuse_only]}
  - id: twitching_too
    answers: {weaker: yes, inactivity: [cast], twitching_or_cramps: yes}
    expect: {not_fires: [disuse_only], fires: [see_doctor_about_muscle_change]}
"""


def _card_text(kb: KnowledgeBase, name: str, rules: Path | None = None) -> str:
    refs = read_cases(load_knowledge_base(rules)) if rules else []
    return "\n".join(f"{card.heading}\n{card.where}\n" + "\n".join(
        f"{title}\n" + "\n".join(lines) for title, lines in card.sections)
        for card in cards_for(kb, name, refs))


def test_explain_rule_on_the_command_line() -> None:
    result = run_cli("explain", "disuse_context")
    assert result.code == 0
    out = result.out
    assert out.startswith(
        "Rule disuse_context: Bed rest, a cast or a hospital stay, and nothing else new")
    assert re.search(r"rules/muscle_changes\.rules\.yaml:\d+", out)
    needs = out[out.index("Needs"):out.index("Concludes")]
    assert "all of:" in needs and '"A cast, splint or brace"' in needs
    assert "not: fact other_signs (concluded by other_signs_present)" in needs
    concludes = out[out.index("Concludes"):out.index("Why")]
    assert ("fact disuse_explained (read by disuse_only, see_doctor_about_muscle_change, "
            "read_conditions_set)" in concludes)
    assert "section: physical treatment" in out[out.index("Sources"):]
    scenarios = out[out.index("Scenarios that exercise it"):]
    assert ".scenarios.yaml:" in scenarios  # the shipped cases that name it


def test_explain_rule_lists_the_scenarios_that_exercise_it(kb: KnowledgeBase, rules_copy: Path
                                                           ) -> None:
    (rules_copy / "disuse.scenarios.yaml").write_text(SCENARIOS, encoding="utf-8")
    text = _card_text(kb, "disuse_only", rules_copy)
    scenarios = text[text.index("Scenarios that exercise it"):]
    assert re.search(r"cast_only \(.*disuse\.scenarios\.yaml:2\): expects it to fire", scenarios)
    assert "twitching_too" in scenarios and "expects it to stay silent" in scenarios
    other = _card_text(kb, "rf_breathing_trouble", rules_copy)
    assert "cast_only" not in other and "twitching_too" not in other
    question = _card_text(kb, "twitching_or_cramps", rules_copy)
    answered = question[question.index("Scenarios that answer it"):]
    assert "twitching_too" in answered and "cast_only" not in answered


def test_explain_question(kb: KnowledgeBase) -> None:
    text = _card_text(kb, "where_affected")
    question = kb.question("where_affected")
    assert text.startswith("Question where_affected (number")
    assert question.text in text and question.why in text
    when = text[text.index("When it is asked"):]
    assert when.split("\n")[1] == "only if:" and '"Yes" or "Not sure"' in when
    readers = text[text.index("Rules that read it"):]
    expected = {r.id for r in kb.rules if "where_affected" in repr(r.when)}
    assert expected and all(f"- {rule_id}:" in readers for rule_id in expected)
    assert "disuse_only" not in readers
    flag = _card_text(kb, "sudden_one_sided")
    assert "When it is asked\nalways" in flag and "reaches at least emergency" in flag


def test_explain_topic_fact_and_level(kb: KnowledgeBase) -> None:
    topic = _card_text(kb, "als")
    assert topic.startswith("Reading topic als")
    assert "read_conditions_set: Causes of muscle loss" in topic
    fact = _card_text(kb, "other_signs")
    assert "other_signs_present" in fact and "disuse_context (needs it absent)" in fact
    level = _card_text(kb, "emergency")
    assert "rf_sudden_one_sided" in level and "Red-flag questions" in level


def test_explain_unknown_id_exits_2_with_a_suggestion() -> None:
    result = run_cli("explain", "rf_breathing")
    assert result.code == 2 and result.out == ""
    assert "unknown id 'rf_breathing'" in result.err
    assert "did you mean 'rf_breathing_trouble'?" in result.err


# --- graph ------------------------------------------------------------------------------------


def _lit_ids(mermaid: str) -> set[str]:
    line = next(line for line in mermaid.splitlines() if line.endswith(" fired"))
    return set(line.split()[1].split(","))


def test_graph_shows_the_whole_network(kb: KnowledgeBase) -> None:
    mermaid = to_mermaid(rule_network(kb))
    assert mermaid.startswith("flowchart LR\n")
    for rule in kb.rules:
        assert f"  r_{rule.id}[" in mermaid
    for question in kb.questions:  # every question but the opening ones feeds some rule
        if any(question.id in questions_read(rule.when) for rule in kb.rules):
            assert f"q_{question.id} --> " in mermaid
        else:
            assert question.role == "context" and kb.questions.index(question) < 3
    assert "q_weaker --> r_muscle_change_reported" in mermaid
    assert "r_muscle_change_reported --> f_muscle_change" in mermaid
    assert "f_other_signs -. not .-> r_disuse_context" in mermaid
    assert "r_disuse_only --> l_routine" in mermaid and "r_read_conditions_set --> t_als" in mermaid
    assert not any(line.endswith(" fired") for line in mermaid.splitlines())  # no answers given
    assert "linkStyle" not in mermaid


def test_graph_highlights_the_fired_path_on_the_command_line(tmp_path: Path) -> None:
    answers = tmp_path / "me.yaml"
    answers.write_text("weaker: yes\ninactivity: [cast]\nonset: over_weeks\n", encoding="utf-8")
    result = run_cli("graph", "--answers", str(answers))
    assert result.code == 0
    lit = _lit_ids(result.out)
    assert {"q_weaker", "q_inactivity", "r_muscle_change_reported", "r_disuse_only",
            "f_muscle_change", "f_disuse_explained", "l_routine", "t_exercise"} <= lit
    assert "q_onset" not in lit  # answered, but no fired rule needed it
    assert not {"r_see_doctor_about_muscle_change", "l_soon", "r_rf_breathing_trouble"} & lit
    styled = next(line for line in result.out.splitlines() if line.startswith("  linkStyle"))
    edges = [line.strip() for line in result.out.splitlines() if " --> " in line or ".->" in line]
    lit_edges = {edges[int(i)] for i in styled.split()[1].split(",")}
    assert "q_weaker --> r_muscle_change_reported" in lit_edges
    assert "r_disuse_only --> l_routine" in lit_edges
    assert "f_muscle_change --> r_see_doctor_about_muscle_change" not in lit_edges


def test_graph_dot_marks_the_path(kb: KnowledgeBase) -> None:
    result = assess(kb, {"sudden_one_sided": "yes"})
    dot = to_dot(highlight(kb, rule_network(kb), result))
    assert dot.startswith("digraph rules {") and dot.rstrip().endswith("}")
    lit = re.search(r"^  r_rf_sudden_one_sided \[.*\];$", dot, re.MULTILINE)
    assert lit and 'fillcolor="#ffe082"' in lit.group(0)
    grey = re.search(r"^  r_disuse_only \[.*\];$", dot, re.MULTILINE)
    assert grey and 'fontcolor="#999999"' in grey.group(0)
    assert re.search(r'^  r_rf_sudden_one_sided -> l_emergency \[color="#bf360c"', dot,
                     re.MULTILINE)


def test_graph_labels_are_escaped(rules_copy: Path) -> None:
    from tests.conftest import replace_in

    replace_in(rules_copy / "reading.rules.yaml", "title: Causes of muscle loss",
               'title: "ALS \\"quoted\\" <b>#1</b> `x` [red]y"')
    kb = load_knowledge_base(rules_copy)
    from questionnaire.render.network_picture import fired_path

    result = assess(kb, {"weaker": "yes", "twitching_or_cramps": "yes"})
    mermaid = to_mermaid(fired_path(kb, result))
    line = next(line for line in mermaid.splitlines()
                if line.startswith("  r_read_conditions_set["))
    assert line == ('  r_read_conditions_set["ALS #quot;quoted#quot; #lt;b#gt;#35;1#lt;/b#gt; '
                    '#96;x#96; [red]y"]')
    dot = to_dot(fired_path(kb, result))
    assert 'label="ALS \\"quoted\\" <b>#1</b> `x` [red]y"' in dot
    # rich markup in a text is shown as typed, in the tree and in `explain`
    env = Environment.captured(tty=True)
    render_explanation(kb, result, env.console())
    assert 'ALS "quoted" <b>#1</b> `x` [red]y [read_conditions_set]' in env.stdout.getvalue()  # type: ignore[attr-defined]
    assert 'ALS "quoted" <b>#1</b> `x` [red]y' in _card_text(kb, "read_conditions_set")


def test_graph_output_file_is_private_and_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "network.dot"
    first = run_cli("graph", "-o", str(target))
    assert first.code == 0 and first.out == ""
    assert target.read_text(encoding="utf-8").startswith("digraph rules")  # format from suffix
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    again = run_cli("graph", "--format", "mermaid", "-o", str(target))
    assert again.code == 2 and "already exists" in again.err
    assert target.read_text(encoding="utf-8").startswith("digraph rules")
    unknown = run_cli("graph", "-o", str(tmp_path / "network.png"))
    assert unknown.code == 2 and "--format" in unknown.err
    assert not (tmp_path / "network.png").exists()


def test_svg_without_graphviz_names_the_package(kb: KnowledgeBase, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dot anywhere
    with pytest.raises(GraphvizMissing, match="graphviz"):
        to_svg(rule_network(kb))
    result = run_cli("graph", "--format", "svg")
    assert result.code == 1 and result.out == ""
    assert "install the 'graphviz' package" in result.err.lower()
    assert "--format dot" in result.err and "Traceback" not in result.err


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_svg_through_graphviz(kb: KnowledgeBase) -> None:
    result = assess(kb, {"weaker": "yes", "inactivity": ("cast",)})
    svg = to_svg(highlight(kb, rule_network(kb), result))
    assert "<svg" in svg and svg.rstrip().endswith("</svg>")
    assert ">disuse_only</text>" in svg and ">rf_breathing_trouble</text>" in svg


def test_explain_ignores_case_and_names_the_knowledge_base_in_use(rules_copy: Path) -> None:
    upper = run_cli("explain", "ALS")
    assert upper.code == 0 and upper.out == run_cli("explain", "als").out
    assert upper.out.startswith("Reading topic als")
    typo = run_cli("explain", "ALZ")
    assert typo.code == 2 and "unknown id 'ALZ' (did you mean 'als'?)" in typo.err
    assert "the shipped knowledge base (version " in typo.err and "rules/ files" not in typo.err
    other = run_cli("explain", "nothing_like_it", "--rules", str(rules_copy))
    assert other.code == 2 and f"the knowledge base in {rules_copy} has no rule" in other.err


def test_explain_a_rule_with_answers_marks_why_it_did_not_fire(kb: KnowledgeBase,
                                                               tmp_path: Path) -> None:
    from questionnaire.render.why_not_view import MARKS_KEY

    answers = tmp_path / "a.yaml"
    answers.write_text('weaker: "no"\n', encoding="utf-8")
    rule = next(r for r in kb.rules if "weaker" in questions_read(r.when))
    result = run_cli("explain", rule.id, "--answers", str(answers))
    assert result.code == 0, result.err
    assert MARKS_KEY in result.out and f"[{rule.id}]: did not fire" in result.out
    assert "[failed] weaker" in result.out
