"""`explain RULE --answers FILE`: a rule's condition marked held / failed / unknown (text, JSON).

The marks come from engine.explain.why_not; this module only draws them, as why_tree's nodes (so
the tree looks and wraps like the --explain tree, rich or plain) and as JSON.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from engine.explain.why_not import MarkedCondition, MarkedRule
from engine.explain.words import formula
from engine.model import AllOf, AnswerTest, AnyOf, FactTest, KnowledgeBase, NotOf
from questionnaire.render.why_tree import Node, render_tree

MARK_STYLES = {"held": "green", "failed": "red", "unknown": "yellow"}
BECAUSE_TEXT = {"not_answered": "not answered", "not_asked": "not asked: its ask_if was false",
                "derived": "derived", "not_derived": "not derived"}


def _kind(node: MarkedCondition) -> str:
    condition = node.condition
    if isinstance(condition, AnswerTest):
        return "answer"
    if isinstance(condition, FactTest):
        return "fact"
    if isinstance(condition, NotOf):
        return "not"
    return "all" if isinstance(condition, AllOf) else "any"


def _condition_node(kb: KnowledgeBase, node: MarkedCondition) -> Node:
    condition = node.condition
    head = f"[{node.mark}] "
    if isinstance(condition, AnswerTest):
        if node.answer is not None:
            given = kb.question(condition.question).answer_text(node.answer)
            label = f"{head}{formula(condition)} (answer: {given})"
        else:
            label = f"{head}{formula(condition)} ({BECAUSE_TEXT[node.because]})"
        return Node(label, style=MARK_STYLES[node.mark], kind="answer")
    if isinstance(condition, FactTest):
        label = f"{head}fact {condition.fact} ({BECAUSE_TEXT[node.because]})"
        if node.derived_by:
            label += ", rules that derive it:"
        return Node(label, style=MARK_STYLES[node.mark], kind="fact",
                    children=tuple(_rule_node(kb, rule) for rule in node.derived_by))
    word = {NotOf: "not", AllOf: "all of", AnyOf: "any of"}[type(condition)]
    return Node(f"{head}{word}:", style=MARK_STYLES[node.mark], kind="note",
                children=tuple(_condition_node(kb, part) for part in node.parts))


def _rule_node(kb: KnowledgeBase, marked: MarkedRule) -> Node:
    rule = marked.rule
    state = "fired" if marked.fired else "did not fire"
    label = f"{rule.title} [{rule.id}]: {state}"
    if marked.repeated:
        return Node(f"{label} (its condition is marked above)", kind="rule", style="bold")
    return Node(label, (f"rule at {rule.where}",), kind="rule", style="bold",
                children=(_condition_node(kb, marked.condition),))


def render_why_not(kb: KnowledgeBase, marked: MarkedRule, console: Console,
                   plain: bool | None = None) -> None:
    """Print the rule's marked condition tree, under a one-line key to the marks."""
    console.print(Text("With these answers (held / failed / unknown: not answered or not asked)",
                       style="bold underline"))
    render_tree((_rule_node(kb, marked),), console, plain)


def condition_json(kb: KnowledgeBase, node: MarkedCondition) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": _kind(node), "test": formula(node.condition),
                            "mark": node.mark}
    if node.because:
        data["because"] = node.because
    if node.answer is not None:
        data["answer"] = node.answer if isinstance(node.answer, str) else list(node.answer)
    if node.parts:
        data["parts"] = [condition_json(kb, part) for part in node.parts]
    if isinstance(node.condition, FactTest):
        data["derived_by"] = [rule_json(kb, rule) for rule in node.derived_by]
    return data


def rule_json(kb: KnowledgeBase, marked: MarkedRule) -> dict[str, Any]:
    """A marked rule as JSON; a repeated rule carries only its top mark."""
    data: dict[str, Any] = {"rule": marked.rule.id, "title": marked.rule.title,
                            "fired": marked.fired, "mark": marked.mark}
    if marked.repeated:
        data["repeated"] = True
    else:
        data["condition"] = condition_json(kb, marked.condition)
    return data
