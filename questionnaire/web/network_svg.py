"""The rule network as an SVG drawn in Python, for the /rules page: no Graphviz, no script.

`muscle-triage graph --format svg` needs Graphviz's dot program, which the README's two install
commands do not bring, and a JavaScript renderer would mean shipping and trusting a large file.
The network is small (tens of nodes) and layered by nature (questions -> rules -> facts -> rules
-> levels and reading), so a layered layout does well enough: each node goes in the column after
the deepest node it reads, nodes in a column are ordered by the mean position of what they read
(two sweeps, which untangles most crossings), and edges are curves between columns. The nodes and
edges, and the fired path, are the ones questionnaire/render/network_picture.py builds for every
other format.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from questionnaire.render.network_picture import Graph, GraphEdge, GraphNode

COLUMN_WIDTH = 190
COLUMN_GAP = 70
ROW_HEIGHT = 24
ROW_GAP = 6
MARGIN = 12
#: Labels longer than this are cut in the box; the whole id is in the node's tooltip and card.
LABEL_CHARS = 27
#: Column headings, by the kind of node that starts each column.
KIND_NAMES = {"question": "Questions", "rule": "Rules", "fact": "Facts",
              "level": "Levels", "topic": "Reading"}


@dataclass(frozen=True)
class Placed:
    node: GraphNode
    column: int
    row: int

    @property
    def x(self) -> int:
        return MARGIN + self.column * (COLUMN_WIDTH + COLUMN_GAP)

    @property
    def y(self) -> int:
        return MARGIN + 28 + self.row * (ROW_HEIGHT + ROW_GAP)


def _columns(graph: Graph) -> dict[str, int]:
    """Each node's column: one past the deepest node feeding it; outcomes in the last column."""
    feeds: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        feeds[edge.target].append(edge.source)
    kinds = {node.id: node.kind for node in graph.nodes}
    memo: dict[str, int] = {}

    def depth(node_id: str, seen: frozenset[str] = frozenset()) -> int:
        if node_id in memo:
            return memo[node_id]
        sources = [s for s in feeds.get(node_id, []) if s not in seen]  # a cycle stops here
        found = 0 if kinds[node_id] == "question" or not sources else 1 + max(
            depth(s, seen | {node_id}) for s in sources)
        memo[node_id] = found
        return found

    columns = {node.id: depth(node.id) for node in graph.nodes}
    inner = [columns[n.id] for n in graph.nodes if n.kind not in ("level", "topic")]
    last = max(inner, default=0) + 1
    for node in graph.nodes:
        if node.kind in ("level", "topic"):
            columns[node.id] = last
    return columns


def layout(graph: Graph) -> list[Placed]:
    """Nodes placed in columns, ordered within each to keep edges short."""
    columns = _columns(graph)
    by_column: dict[int, list[GraphNode]] = defaultdict(list)
    for node in graph.nodes:
        by_column[columns[node.id]].append(node)
    feeds: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        feeds[edge.target].append(edge.source)
    position = {node.id: index for nodes in by_column.values() for index, node in enumerate(nodes)}
    for _sweep in range(2):
        for column in sorted(by_column)[1:]:
            nodes = by_column[column]

            def centre(node: GraphNode) -> float:
                sources = [position[s] for s in feeds.get(node.id, []) if s in position
                           and columns[s] < columns[node.id]]
                # levels above reading in the last column; then by where their sources sit
                rank = 0 if node.kind != "topic" else 1
                return rank * 10_000 + (sum(sources) / len(sources) if sources else 0)

            nodes.sort(key=centre)
            position.update({node.id: index for index, node in enumerate(nodes)})
    return [Placed(node, column, row) for column, nodes in sorted(by_column.items())
            for row, node in enumerate(nodes)]


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def network_svg(graph: Graph, card_url: str = "/rules/card/") -> str:
    """The picture as SVG markup (every label escaped), styled by classes from the site's CSS."""
    placed = layout(graph)
    where = {p.node.id: p for p in placed}
    columns = max((p.column for p in placed), default=0) + 1
    rows = max((p.row for p in placed), default=0) + 1
    width = 2 * MARGIN + columns * COLUMN_WIDTH + (columns - 1) * COLUMN_GAP
    height = MARGIN * 2 + 28 + rows * (ROW_HEIGHT + ROW_GAP)
    lit = graph.highlighted
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="network{" lit" if lit else ""}" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="group" aria-label="Rule network">']
    headings: dict[int, str] = {}
    for p in placed:
        headings.setdefault(p.column, KIND_NAMES[p.node.kind])
    for column, heading in headings.items():
        x = MARGIN + column * (COLUMN_WIDTH + COLUMN_GAP)
        parts.append(f'<text class="heading" x="{x}" y="{MARGIN + 14}">{escape(heading)}</text>')
    parts.append('<g class="edges" aria-hidden="true">')
    for edge in graph.edges:
        parts.append(_edge(edge, where, graph))
    parts.append("</g>")
    for p in placed:
        state = (" on" if p.node.id in graph.lit else " off") if lit else ""
        name = p.node.label
        parts.append(
            f'<a href="{escape(card_url + quote(name))}" class="node {p.node.kind}{state}">'
            f"<title>{escape(p.node.kind)} {escape(name)}</title>"
            f'<rect x="{p.x}" y="{p.y}" width="{COLUMN_WIDTH}" height="{ROW_HEIGHT}" rx="5"/>'
            f'<text x="{p.x + 8}" y="{p.y + ROW_HEIGHT - 8}">{escape(_cut(name))}</text></a>')
    parts.append("</svg>")
    return "\n".join(parts)


def _edge(edge: GraphEdge, where: dict[str, Placed], graph: Graph) -> str:
    source, target = where[edge.source], where[edge.target]
    x1, y1 = source.x + COLUMN_WIDTH, source.y + ROW_HEIGHT / 2
    x2, y2 = target.x, target.y + ROW_HEIGHT / 2
    if x2 <= x1:  # same or earlier column (only in a knowledge base with a cycle): loop round
        x2 = target.x + COLUMN_WIDTH
    bend = max(COLUMN_GAP / 2, (x2 - x1) / 3)
    classes = ["edge"]
    if edge.negated:
        classes.append("negated")
    if graph.highlighted:
        classes.append("on" if edge in graph.lit_edges else "off")
    return (f'<path class="{" ".join(classes)}" d="M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} '
            f'{x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"/>')
