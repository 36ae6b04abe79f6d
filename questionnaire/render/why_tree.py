"""The reasoning behind a result as a tree: urgency -> rules -> answers (and reading the same way).

One tree of plain-text nodes is built from ``engine.explain.chain`` and drawn three ways: a rich
Tree on a
colour terminal, indented plain text elsewhere (no box-drawing characters, for screen readers,
pipes and NO_COLOR), and JSON. The report draws the same nodes as a Markdown list.

Hook for other front ends (e.g. the interactive questionnaire)::

    render_explanation(kb, assessment, console)          # prints the tree
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group
from rich.text import Text
from rich.tree import Tree

from engine.explain.chain import (
    AbsenceReason,
    AnswerReason,
    FactReason,
    PartReason,
    RuleReason,
    Why,
    why,
)
from engine.model import Assessment, KnowledgeBase, Rule


@dataclass(frozen=True)
class Node:
    """One line of the explanation, with optional detail lines and children."""

    label: str
    details: tuple[str, ...] = ()
    children: tuple[Node, ...] = ()
    #: rich style for the label on a colour terminal.
    style: str = ""
    #: What the node stands for: urgency, rule, answer, fact, absence, topic, advice, note.
    kind: str = "note"


def _sources(kb: KnowledgeBase, rule: Rule) -> str:
    return "Sources: " + "; ".join(kb.citation(s) for s in rule.sources)


class _WhyTreeBuilder:
    """Builds nodes; a rule whose reasons were already drawn higher up is not expanded again."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.expanded: set[str] = set()

    def reason(self, reason: PartReason) -> Node:
        """An answer, a derived fact (expanded to the rules that derived it) or a `not`."""
        if isinstance(reason, AnswerReason):
            return Node(f"answer {reason.question.id}: {reason.label}", kind="answer")
        if isinstance(reason, FactReason):
            return Node(f"fact {reason.fact}, concluded by:", kind="fact",
                        children=tuple(self.rule(r, brief=True) for r in reason.derived_by))
        assert isinstance(reason, AbsenceReason)
        return Node(f"and {reason.text}", kind="absence", style="dim")

    def rule(self, node: RuleReason, brief: bool = False, suffix: str = "") -> Node:
        """A fired rule: title and id, then (unless brief) its explanation, sources and place."""
        rule = node.rule
        label = f"{rule.title} [{rule.id}]{suffix}"
        if brief and rule.id in self.expanded:
            return Node(label + " (see above)", kind="rule", style="bold")
        self.expanded.add(rule.id)
        details = (f"rule at {rule.where}",) if brief else (
            rule.explanation, _sources(self.kb, rule), f"rule at {rule.where}")
        return Node(label, details, kind="rule", style="bold",
                    children=tuple(self.reason(r) for r in node.reasons))


def explanation_tree(kb: KnowledgeBase, chain: Why, reading: bool = True) -> tuple[Node, ...]:
    """The roots: urgency, then (if ``reading``) reading, then advice not tied to a level."""
    build = _WhyTreeBuilder(kb)
    level = chain.level
    under: list[Node] = [build.rule(r) for r in chain.raised_by]
    if not under:
        under.append(Node("No rule set a level, so the starting level applies.", style="dim"))
    if chain.outranked:
        under.append(Node("Also reached, but outranked by the level above:", style="dim",
                          children=tuple(build.rule(r, brief=True,
                                                    suffix=f" -> {r.rule.then.level}")
                                         for r in chain.outranked)))
    roots = [Node(f"Urgency: {level.title} ({level.id})", kind="urgency", style="bold reverse",
                  children=tuple(under))]
    if reading and chain.reading:
        roots.append(Node(
            "Reading", (kb.texts.reading_intro,), kind="reading", style="bold",
            children=tuple(Node(f"{t.item.title} [{t.item.id}]", (t.item.link,), kind="topic",
                                style="bold",
                                children=tuple(build.rule(r, brief=True) for r in t.offered_by))
                           for t in chain.reading)))
    if chain.advice:
        roots.append(Node("Other advice", kind="advice", style="bold", children=tuple(
            Node(a.text, kind="advice", children=tuple(build.rule(r, brief=True)
                                                       for r in a.given_by))
            for a in chain.advice)))
    return tuple(roots)


def build_explanation(kb: KnowledgeBase, assessment: Assessment,
                      reading: bool = True) -> tuple[Node, ...]:
    return explanation_tree(kb, why(kb, assessment), reading)


# --- drawing ----------------------------------------------------------


def _rich_label(node: Node) -> Group:
    parts = [Text(node.label, style=node.style)]
    parts += [Text(detail, style="dim") for detail in node.details]
    return Group(*parts)


def _rich_tree(node: Node, tree: Tree | None = None) -> Tree:
    branch = Tree(_rich_label(node), guide_style="dim") if tree is None else tree.add(
        _rich_label(node))
    for child in node.children:
        _rich_tree(child, branch)
    return branch


def plain_lines(nodes: tuple[Node, ...], width: int = 100, depth: int = 0) -> list[str]:
    """The tree as indented text: two spaces a level, '- ' before each child, wrapped lines."""
    lines: list[str] = []
    for node in nodes:
        pad = "  " * depth
        first = pad + ("- " if depth else "")
        rest = pad + ("  " if depth else "")
        lines += textwrap.wrap(node.label, width, initial_indent=first, subsequent_indent=rest,
                               break_on_hyphens=False, break_long_words=False)
        for detail in node.details:
            lines += textwrap.wrap(detail, width, initial_indent=rest + "  ",
                                   subsequent_indent=rest + "  ", break_on_hyphens=False,
                                   break_long_words=False)
        lines += plain_lines(node.children, width, depth + 1)
    return lines


def render_tree(nodes: tuple[Node, ...], console: Console, plain: bool | None = None) -> None:
    """Draw nodes on a console: a rich Tree, or plain indented text when ``plain``.

    ``plain`` defaults to the console's own state: plain whenever colour is off (not a terminal,
    NO_COLOR, --no-color, TERM=dumb), so box-drawing lines never reach a pipe or screen reader.
    """
    if plain is None:
        plain = console.no_color or not console.is_terminal
    for index, node in enumerate(nodes):
        if index:
            console.print()
        if plain:
            for line in plain_lines((node,), max(console.width - 1, 40)):
                console.print(Text(line), soft_wrap=True)
        else:
            console.print(_rich_tree(node))


def render_explanation(kb: KnowledgeBase, assessment: Assessment, console: Console,
                       plain: bool | None = None) -> None:
    """Print why this result: the tree from urgency and reading down to the answers."""
    console.print(Text("Why this result", style="bold underline"))
    render_tree(build_explanation(kb, assessment), console, plain)


def node_json(node: Node) -> dict[str, Any]:
    return {"kind": node.kind, "label": node.label, "details": list(node.details),
            "children": [node_json(child) for child in node.children]}


def explanation_json(kb: KnowledgeBase, assessment: Assessment) -> list[dict[str, Any]]:
    """The tree as JSON (the ``explanation`` key of ``assess --explain --format json``)."""
    return [node_json(node) for node in build_explanation(kb, assessment)]
