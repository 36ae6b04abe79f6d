"""`explain RULE --answers FILE`: a rule's condition marked held / failed / unknown (text, JSON).

The marks come from engine.explain.why_not; this module only draws them, as why_tree's nodes (so
the tree looks and wraps like the --explain tree, rich or plain) and as JSON.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from engine.explain.why_not import MarkedCondition, MarkedRule, holding_back, silent_rules
from engine.explain.words import formula
from engine.model import AllOf, AnswerTest, AnyOf, Assessment, FactTest, KnowledgeBase, NotOf
from questionnaire.render.result import bullet
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


def _answer_label(kb: KnowledgeBase, node: MarkedCondition, condition: AnswerTest) -> str:
    if node.answer is not None:
        given = kb.question(condition.question).answer_text(node.answer)
        return f"[{node.mark}] {formula(condition)} (answer: {given})"
    return f"[{node.mark}] {formula(condition)} ({BECAUSE_TEXT[node.because]})"


def part_label(kb: KnowledgeBase, node: MarkedCondition) -> str:
    """One marked part on one line: a test with the answer given or why there is none, a fact
    with whether it was derived, anything larger as its formula."""
    condition = node.condition
    if isinstance(condition, AnswerTest):
        return _answer_label(kb, node, condition)
    if isinstance(condition, FactTest):
        return f"[{node.mark}] fact {condition.fact} ({BECAUSE_TEXT[node.because]})"
    return f"[{node.mark}] {formula(condition)}"


def _condition_node(kb: KnowledgeBase, node: MarkedCondition) -> Node:
    condition = node.condition
    head = f"[{node.mark}] "
    if isinstance(condition, AnswerTest):
        return Node(_answer_label(kb, node, condition), style=MARK_STYLES[node.mark],
                    kind="answer")
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


#: The key to the marks, above the tree in every front end.
MARKS_KEY = "With these answers (held / failed / unknown: not answered or not asked)"


def why_not_nodes(kb: KnowledgeBase, marked: MarkedRule) -> tuple[Node, ...]:
    """The marked rule as why_tree nodes: the terminal draws them, the web card lists them."""
    return (_rule_node(kb, marked),)


def render_why_not(kb: KnowledgeBase, marked: MarkedRule, console: Console,
                   plain: bool | None = None) -> None:
    """Print the rule's marked condition tree, under a one-line key to the marks."""
    console.print(Text(MARKS_KEY, style="bold underline"))
    render_tree(why_not_nodes(kb, marked), console, plain)


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


#: The silent rules' heading and its aside, in the terminal and on the web demo page
#: (interface wording: it names a part of the view).
SILENT_HEADING = "Why not: the rules that stayed silent"
SILENT_ASIDE = "for teaching: the parts that held each rule back"


class SilentRows(NamedTuple):
    """The silent rules as lines: those the answers ruled out, each with the parts that held it
    back, and those that only wait on questions not answered (or not asked)."""

    #: (rule id, title, (mark, line) for each part that held it back).
    ruled_out: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]
    waiting: tuple[str, ...]


def silent_rows(kb: KnowledgeBase, assessment: Assessment) -> SilentRows:
    """Every silent rule: ruled out (failed) with its held-back parts, or waiting (unknown)."""
    ruled_out, waiting = [], []
    for marked in silent_rules(kb, assessment):
        if marked.mark == "failed":
            ruled_out.append((marked.rule.id, marked.rule.title,
                              tuple((part.mark, part_label(kb, part))
                                    for part in holding_back(marked))))
        else:
            waiting.append(marked.rule.id)
    return SilentRows(tuple(ruled_out), tuple(waiting))


def render_silent(kb: KnowledgeBase, assessment: Assessment, console: Console,
                  command: str) -> None:
    """The silent rules, one short why-not each; ``command`` is how to ask for a whole tree."""
    rows = silent_rows(kb, assessment)
    console.print(f"[bold]{SILENT_HEADING}[/] [dim]({SILENT_ASIDE})[/]")
    if rows.ruled_out:
        console.print()
        console.print("Ruled out by the answers given:")
        for rule_id, title, parts in rows.ruled_out:
            bullet(console, f"{escape(rule_id)} [dim]({escape(title)})[/]")
            for mark, line in parts:
                bullet(console, f"[{MARK_STYLES[mark]}]{escape(line)}[/]", 6)
    if rows.waiting:
        console.print()
        console.print("Waiting only on questions not answered (or not asked): "
                      + escape(", ".join(rows.waiting)))
    console.print()
    console.print(f"[dim]The whole tree of one rule: {escape(command)}[/]")
