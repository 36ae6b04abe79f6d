"""assess --explain: the tree from the urgency and reading down to the answers that counted."""

from __future__ import annotations

import json
import re

from engine.model import KnowledgeBase
from engine.run.assess import assess
from questionnaire.environment import Environment
from questionnaire.render.result import assessment_json
from questionnaire.render.why_tree import build_explanation, plain_lines, render_explanation
from tests.conftest import run_cli

#: weaker -> muscle change; hands + twitching -> ALS reading; twitching -> other signs.
SOON = "weaker: yes\nonset: over_months\nwhere_affected: [hands]\ntwitching_or_cramps: yes\n"
DISUSE = "weaker: yes\ninactivity: [cast]\nonset: over_weeks\n"
BOX = re.compile("[\u2500-\u257f]")  # box-drawing characters


def _bracketed_ids(text: str) -> set[str]:
    return set(re.findall(r"\[([a-z0-9_]+)\]", text))


def test_tree_names_fired_rules_with_their_answers_and_no_unfired_rule(kb: KnowledgeBase,
                                                                       ) -> None:
    result = run_cli("assess", "--answers", "-", "--explain", stdin=SOON)
    assert result.code == 0
    tree = result.out[result.out.index("Why this result"):]
    fired = {"see_doctor_about_muscle_change", "muscle_change_reported", "read_conditions_set",
             "read_treatment_options", "read_overview"}
    rule_ids = {rule.id for rule in kb.rules}
    assert fired <= _bracketed_ids(tree)
    assert _bracketed_ids(tree) & rule_ids <= fired | {"other_signs_present"}
    assert "disuse_only" not in tree and "rf_breathing_trouble" not in tree
    assert "answer weaker: Yes" in tree
    # answered, but no fired rule needed them (reading no longer hinges on hands or twitching)
    for answered in ("onset", "twitching_or_cramps", "where_affected"):
        assert answered not in tree
    assert "Urgency: See a doctor soon (soon)" in tree
    assert "rules/muscle_changes.rules.yaml:" in tree  # file:line of each rule
    assert "Sources: " in tree


def test_derived_fact_expands_to_the_rule_and_answer_behind_it(kb: KnowledgeBase) -> None:
    result = assess(kb, {"weaker": "yes", "inactivity": ("cast",), "onset": "over_weeks"})
    urgency = build_explanation(kb, result)[0]
    rule = urgency.children[0]
    assert rule.label.endswith("[disuse_only]")
    fact = next(n for n in rule.children if n.kind == "fact")
    assert fact.label == "fact muscle_change, concluded by:"
    deriver = fact.children[0]
    assert deriver.label.endswith("[muscle_change_reported]")
    assert [n.label for n in deriver.children] == ["answer weaker: Yes"]
    disuse = next(n for n in rule.children if n.label.startswith("fact disuse_explained"))
    context = disuse.children[0]
    assert context.label.endswith("[disuse_context]")
    assert [n.label for n in context.children] == ["answer inactivity: A cast, splint or brace",
                                                   "and no rule concluded 'other_signs'"]


def test_each_reading_topic_leads_to_the_rule_that_offered_it(kb: KnowledgeBase) -> None:
    result = assess(kb, {"weaker": "yes", "where_affected": ("hands",),
                         "twitching_or_cramps": "yes", "onset": "over_months"})
    reading = next(n for n in build_explanation(kb, result) if n.kind == "reading")
    topics = {n.label.rsplit("[", 1)[1].rstrip("]"): n for n in reading.children}
    assert set(topics) == {item.id for item in result.reading}
    als = topics["als"]
    assert [c.label for c in als.children] == [
        "Causes of muscle loss [read_conditions_set] (see above)"]


def test_emergency_tree_has_no_reading(kb: KnowledgeBase) -> None:
    result = assess(kb, {"sudden_one_sided": "yes", "weaker": "yes"})
    roots = build_explanation(kb, result)
    assert roots[0].label.startswith("Urgency: Emergency")
    assert "rf_sudden_one_sided" in roots[0].children[0].label
    assert all(root.kind != "reading" for root in roots)


def test_outranked_levels_are_shown_apart_from_the_level_that_won(kb: KnowledgeBase) -> None:
    result = assess(kb, {"sudden_one_sided": "yes", "swallowing_or_speech_trouble": "yes"})
    text = "\n".join(plain_lines(build_explanation(kb, result)))
    head, outranked = text.split("Also reached, but outranked")
    assert "[rf_sudden_one_sided]" in head
    assert "rf_swallowing_or_speech] -> urgent" in outranked


def _drawn(kb: KnowledgeBase, tty: bool, environ: dict[str, str] | None = None) -> str:
    env = Environment.captured(tty=tty, environ=environ)
    result = assess(kb, {"weaker": "yes", "inactivity": ("cast",), "onset": "over_weeks"})
    render_explanation(kb, result, env.console())
    return env.stdout.getvalue()  # type: ignore[attr-defined,no-any-return]


def test_plain_text_without_a_terminal_or_with_no_color(kb: KnowledgeBase) -> None:
    piped, no_color = _drawn(kb, tty=False), _drawn(kb, tty=True, environ={"NO_COLOR": "1"})
    terminal = _drawn(kb, tty=True)
    assert not BOX.search(piped) and not BOX.search(no_color)
    assert BOX.search(terminal)  # the rich tree draws its guide lines
    for text in (piped, no_color, terminal):
        assert "disuse_only" in text and "answer inactivity" in text


def test_explain_adds_the_tree_to_json(kb: KnowledgeBase) -> None:
    result = run_cli("assess", "--answers", "-", "--explain", "--format", "json", stdin=DISUSE)
    data = json.loads(result.out)
    assert data["urgency"]["level"] == "routine"
    urgency = data["explanation"][0]
    assert urgency["kind"] == "urgency" and urgency["children"][0]["kind"] == "rule"
    assert "disuse_only" in urgency["children"][0]["label"]
    assert "explanation" not in assessment_json(kb, assess(kb, {"weaker": "yes"}))


def test_plain_lines_wrap_under_their_bullet(kb: KnowledgeBase) -> None:
    result = assess(kb, {"weaker": "yes"})
    lines = plain_lines(build_explanation(kb, result), width=60)
    assert all(len(line) <= 60 or " " not in line.strip() for line in lines)
