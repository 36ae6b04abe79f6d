"""A picture of the rule network: questions -> rules -> derived facts -> levels and reading.

The network is built once as plain nodes and edges, optionally with the path one set of answers
fired marked, and then written as Mermaid (renders on GitHub and in the Markdown report), as
Graphviz DOT, or as SVG through Graphviz's ``dot`` program when it is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, replace
from typing import Literal

from engine.conditions import facts_read, questions_read
from engine.explain.chain import AnswerReason, FactReason, fired_reasons
from engine.model import Assessment, KnowledgeBase

NodeKind = Literal["question", "rule", "fact", "level", "topic"]
_PREFIX: dict[NodeKind, str] = {"question": "q", "rule": "r", "fact": "f", "level": "l",
                                "topic": "t"}
GRAPHVIZ_HINT = ("SVG needs Graphviz's 'dot' program, which is not installed. Install the "
                 "'graphviz' package (Debian/Ubuntu: sudo apt install graphviz; macOS: brew "
                 "install graphviz; Windows: winget install graphviz), or use --format mermaid or "
                 "--format dot.")


class GraphvizMissing(Exception):
    """SVG was asked for but Graphviz's dot is not on PATH."""


class GraphvizFailed(Exception):
    """dot ran but did not produce a picture."""


@dataclass(frozen=True)
class GraphNode:
    id: str
    label: str
    kind: NodeKind


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    #: The target reads the source under a `not`.
    negated: bool = False


@dataclass(frozen=True)
class Graph:
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    #: Node ids and edges on the fired path (empty when no answers were given).
    lit: frozenset[str] = frozenset()
    lit_edges: frozenset[GraphEdge] = frozenset()

    @property
    def highlighted(self) -> bool:
        return bool(self.lit)

    def only_lit(self) -> Graph:
        """Just the fired path: the nodes and edges that were lit."""
        return replace(self, nodes=tuple(n for n in self.nodes if n.id in self.lit),
                       edges=tuple(e for e in self.edges if e in self.lit_edges))


def node_id(kind: NodeKind, name: str) -> str:
    return f"{_PREFIX[kind]}_{name}"


def rule_network(kb: KnowledgeBase) -> Graph:
    """The whole knowledge base as a graph, labelled by ids."""
    nodes: dict[str, GraphNode] = {}
    edges: list[GraphEdge] = []

    def add(kind: NodeKind, name: str) -> str:
        key = node_id(kind, name)
        nodes.setdefault(key, GraphNode(key, name, kind))
        return key

    for question in kb.questions:
        add("question", question.id)
    for rule in kb.rules:
        target = add("rule", rule.id)
        for question in sorted(questions_read(rule.when)):
            edges.append(GraphEdge(add("question", question), target))
        for fact, negated in sorted(facts_read(rule.when).items()):
            edges.append(GraphEdge(add("fact", fact), target, negated))
    for rule in kb.rules:
        source = node_id("rule", rule.id)
        for fact in rule.then.derive:
            edges.append(GraphEdge(source, add("fact", fact)))
        if rule.then.level:
            edges.append(GraphEdge(source, add("level", rule.then.level)))
        for topic in rule.then.reading:
            edges.append(GraphEdge(source, add("topic", topic)))
    order = {"question": 0, "rule": 1, "fact": 2, "level": 3, "topic": 4}
    ranked = sorted(nodes.values(), key=lambda n: order[n.kind])  # stable within a kind
    return Graph(tuple(ranked), tuple(dict.fromkeys(edges)))


def highlight(kb: KnowledgeBase, graph: Graph, assessment: Assessment) -> Graph:
    """Mark the path one assessment fired: answers that counted, rules, facts, level, reading."""
    lit: set[str] = set()
    lit_edges: set[GraphEdge] = set()
    shown_topics = {item.id for item in assessment.reading}
    edges = set(graph.edges)

    def mark(edge: GraphEdge) -> None:
        if edge in edges:
            lit_edges.add(edge)
            lit.update((edge.source, edge.target))

    for node in fired_reasons(kb, assessment):
        rule = node.rule
        target = node_id("rule", rule.id)
        lit.add(target)
        for reason in node.reasons:
            if isinstance(reason, AnswerReason):
                mark(GraphEdge(node_id("question", reason.question.id), target))
            elif isinstance(reason, FactReason):
                mark(GraphEdge(node_id("fact", reason.fact), target))
        for fact in rule.then.derive:
            mark(GraphEdge(target, node_id("fact", fact)))
        if rule.then.level:
            mark(GraphEdge(target, node_id("level", rule.then.level)))
        for topic in rule.then.reading:
            if topic in shown_topics:
                mark(GraphEdge(target, node_id("topic", topic)))
    return replace(graph, lit=frozenset(lit), lit_edges=frozenset(lit_edges))


def fired_path(kb: KnowledgeBase, assessment: Assessment) -> Graph:
    """Only the fired path, labelled in words (rule titles, answers, level and topic titles)."""
    graph = highlight(kb, rule_network(kb), assessment).only_lit()
    fired = {step.rule.id: step.rule for step in assessment.trace}

    def words(node: GraphNode) -> str:
        if node.kind == "question":
            value = assessment.answers.get(node.label)
            question = kb.question(node.label)
            return f"{node.label}: {question.answer_text(value)}" if value else node.label
        if node.kind == "rule":
            return fired[node.label].title
        if node.kind == "level":
            return kb.level(node.label).title
        if node.kind == "topic":
            return kb.reading_item(node.label).title
        return f"fact {node.label}"

    return replace(graph, nodes=tuple(replace(n, label=words(n)) for n in graph.nodes))


# --- Mermaid ----------------------------------------------------------

_MERMAID_SHAPES: dict[NodeKind, tuple[str, str]] = {
    "question": ("([", "])"), "rule": ("[", "]"), "fact": ("{{", "}}"), "level": ("[[", "]]"),
    "topic": ("[/", "/]"),
}


def _mermaid_text(text: str) -> str:
    """A label safe inside Mermaid quotes (and inside a Markdown code fence)."""
    text = " ".join(text.split())
    for char, entity in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"),
                         ("`", "#96;")):
        text = text.replace(char, entity)
    return text


def to_mermaid(graph: Graph) -> str:
    """A Mermaid flowchart, left to right; the fired path (if any) in a bold colour."""
    lines = ["flowchart LR"]
    for node in graph.nodes:
        start, end = _MERMAID_SHAPES[node.kind]
        lines.append(f'  {node.id}{start}"{_mermaid_text(node.label)}"{end}')
    lit_links: list[str] = []
    for index, edge in enumerate(graph.edges):
        arrow = "-. not .->" if edge.negated else "-->"
        lines.append(f"  {edge.source} {arrow} {edge.target}")
        if edge in graph.lit_edges:
            lit_links.append(str(index))
    lines.append("  classDef question fill:#e3f2fd,stroke:#1565c0")
    lines.append("  classDef fact fill:#f3e5f5,stroke:#6a1b9a")
    lines.append("  classDef outcome fill:#e8f5e9,stroke:#2e7d32")
    lines.append("  classDef fired fill:#ffe082,stroke:#bf360c,stroke-width:3px")
    for kind, css in (("question", "question"), ("fact", "fact"), ("level", "outcome"),
                      ("topic", "outcome")):
        ids = [n.id for n in graph.nodes if n.kind == kind and n.id not in graph.lit]
        if ids:
            lines.append(f"  class {','.join(ids)} {css}")
    if graph.lit:
        lines.append(f"  class {','.join(n.id for n in graph.nodes if n.id in graph.lit)} fired")
    if lit_links:
        lines.append(f"  linkStyle {','.join(lit_links)} stroke:#bf360c,stroke-width:3px")
    return "\n".join(lines) + "\n"


# --- Graphviz ----------------------------------------------------------

_DOT_SHAPES: dict[NodeKind, str] = {
    "question": 'shape=box, style="rounded,filled", fillcolor="#e3f2fd"',
    "rule": 'shape=box, style="filled", fillcolor="#ffffff"',
    "fact": 'shape=hexagon, style="filled", fillcolor="#f3e5f5"',
    "level": 'shape=doubleoctagon, style="filled", fillcolor="#e8f5e9"',
    "topic": 'shape=note, style="filled", fillcolor="#e8f5e9"',
}


def _dot_text(text: str) -> str:
    return '"' + " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: Graph) -> str:
    """Graphviz DOT, left to right; the fired path bold and coloured, the rest greyed."""
    lines = ["digraph rules {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=11];',
             '  edge [color="#555555"];']
    for node in graph.nodes:
        attrs = _DOT_SHAPES[node.kind]
        if graph.highlighted:
            attrs += (', fillcolor="#ffe082", color="#bf360c", penwidth=2.5'
                      if node.id in graph.lit else ', color="#bbbbbb", fontcolor="#999999"')
        lines.append(f"  {node.id} [label={_dot_text(node.label)}, {attrs}];")
    for edge in graph.edges:
        attrs = ['style=dashed, label="not"'] if edge.negated else []
        if graph.highlighted:
            attrs.append('color="#bf360c", penwidth=2.5' if edge in graph.lit_edges
                         else 'color="#cccccc"')
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {edge.source} -> {edge.target}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_svg(graph: Graph) -> str:
    """SVG drawn by Graphviz's dot (raises GraphvizMissing when it is not installed)."""
    program = shutil.which("dot")
    if program is None:
        raise GraphvizMissing(GRAPHVIZ_HINT)
    try:
        done = subprocess.run([program, "-Tsvg"], input=to_dot(graph), capture_output=True,
                              text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GraphvizFailed(f"could not run {program}: {exc}") from None
    if done.returncode != 0 or "<svg" not in done.stdout:
        message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output"
        raise GraphvizFailed(f"{program} failed: {message}")
    return done.stdout
