"""A picture of the lifecycle, drawn from the `transitions` machine itself (states/machine.py).

Layered layout, no graphviz: each state's row is its longest distance from the initial
state once the cycles (reviews, suspension) are set aside; the longest path runs down the
middle and the other states sit beside the row they belong to. Forward jumps along the
middle bow to the right, steps back bow to the left. The current state is filled and the
ways out of it are drawn bold, so the picture answers "where is it, and where can it go".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from states.machine import TERMINAL, build_definition_machine

NODE_W, NODE_H = 200, 30
ROW_H = 50
COL_W = 250
MARGIN_X, MARGIN_Y = 150, 40


@dataclass(frozen=True)
class Edge:
    source: str
    dest: str
    triggers: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    initial: str
    states: tuple[str, ...]
    edges: tuple[Edge, ...]
    rank: dict[str, int]
    column: dict[str, int]

    @property
    def columns(self) -> tuple[int, int]:
        return min(self.column.values()), max(self.column.values())

    def centre(self, state: str) -> tuple[float, float]:
        low, _ = self.columns
        x = MARGIN_X + (self.column[state] - low) * COL_W + NODE_W / 2
        y = MARGIN_Y + self.rank[state] * ROW_H + NODE_H / 2
        return x, y

    @property
    def size(self) -> tuple[float, float]:
        low, high = self.columns
        width = 2 * MARGIN_X + (high - low) * COL_W + NODE_W
        height = 2 * MARGIN_Y + max(self.rank.values()) * ROW_H + NODE_H
        return width, height

    def successors(self, state: str) -> list[Edge]:
        return [e for e in self.edges if e.source == state]


def machine_edges() -> tuple[str, tuple[str, ...], tuple[Edge, ...]]:
    """The initial state, the states and the (merged) transitions of the machine."""
    machine = build_definition_machine()
    states = tuple(machine.states)
    triggers: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, event in machine.events.items():
        for source, transitions in event.transitions.items():
            for transition in transitions:
                if transition.dest is not None:  # internal transitions change no state
                    triggers[(source, transition.dest)].append(name)
    edges = tuple(Edge(s, d, tuple(sorted(t))) for (s, d), t in triggers.items())
    return str(machine.initial), states, edges


def _ranks(initial: str, states: tuple[str, ...], edges: tuple[Edge, ...]) -> dict[str, int]:
    """Longest distance from `initial`, ignoring the edges that close a cycle."""
    out: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        out[edge.source].append(edge.dest)
    back: set[tuple[str, str]] = set()
    order: list[str] = []
    seen: set[str] = set()
    on_stack: set[str] = set()

    def visit(state: str) -> None:  # depth-first: finds back edges and a post-order
        seen.add(state)
        on_stack.add(state)
        for dest in out[state]:
            if dest in on_stack:
                back.add((state, dest))
            elif dest not in seen:
                visit(dest)
        on_stack.discard(state)
        order.append(state)

    visit(initial)
    for state in states:  # unreachable states still get drawn
        if state not in seen:
            visit(state)
    rank = dict.fromkeys(states, 0)
    for state in reversed(order):  # topological order of the acyclic part
        for dest in out[state]:
            if (state, dest) not in back:
                rank[dest] = max(rank[dest], rank[state] + 1)
    return rank


def _spine(initial: str, rank: dict[str, int], edges: tuple[Edge, ...]) -> list[str]:
    """A longest path from `initial`: the middle column."""
    path = [initial]
    while True:
        nexts = [
            e.dest
            for e in edges
            if e.source == path[-1] and rank[e.dest] == rank[path[-1]] + 1 and e.dest not in path
        ]
        if not nexts:
            return path
        # Prefer the state with the longest way still ahead of it.
        path.append(max(nexts, key=lambda s: (_depth(s, rank, edges), s)))


def _depth(state: str, rank: dict[str, int], edges: tuple[Edge, ...]) -> int:
    below = [e.dest for e in edges if e.source == state and rank[e.dest] > rank[state]]
    return 1 + max((_depth(d, rank, edges) for d in below), default=0)


@lru_cache(maxsize=1)
def layout() -> Layout:
    initial, states, edges = machine_edges()
    rank = _ranks(initial, states, edges)
    spine = set(_spine(initial, rank, edges))
    column = dict.fromkeys(spine, 0)
    by_rank: dict[int, list[str]] = defaultdict(list)
    for state in states:  # the machine's order: the protocol's order
        if state in spine:
            continue
        sources = sorted(rank[e.source] for e in edges if e.dest == state and e.source in spine)
        if len(sources) > 1:
            # Reachable from many steps (withdrawn, rejected): beside the middle of them,
            # so the lines fan out both ways instead of piling up below.
            rank[state] = sources[len(sources) // 2]
        by_rank[rank[state]].append(state)
    for row in by_rank.values():
        for i, state in enumerate(row):
            # Right, left, further right, ...: terminal ends first to the right.
            column[state] = (i // 2 + 1) * (1 if i % 2 == 0 else -1)
    return Layout(initial, states, edges, rank, column)


def _clip(cx: float, cy: float, dx: float, dy: float) -> tuple[float, float]:
    """Where a line from the centre of a node in direction (dx, dy) leaves its box."""
    scale = min(
        (NODE_W / 2) / abs(dx) if dx else float("inf"),
        (NODE_H / 2) / abs(dy) if dy else float("inf"),
    )
    return cx + dx * scale, cy + dy * scale


def _path(lay: Layout, edge: Edge) -> str:
    (sx, sy), (dx, dy) = lay.centre(edge.source), lay.centre(edge.dest)
    span = lay.rank[edge.dest] - lay.rank[edge.source]
    same_column = lay.column[edge.source] == lay.column[edge.dest]
    if same_column and span == 1:
        return f"M{sx:.0f},{sy + NODE_H / 2:.0f} L{dx:.0f},{dy - NODE_H / 2 - 2:.0f}"
    if same_column:
        side = 1 if span > 0 else -1  # forward jumps right, steps back left
        x = sx + side * NODE_W / 2
        bow = x + side * (30 + 22 * abs(span))
        return f"M{x:.0f},{sy:.0f} Q{bow:.0f},{(sy + dy) / 2:.0f} {x + side * 3:.0f},{dy:.0f}"
    x1, y1 = _clip(sx, sy, dx - sx, dy - sy)
    x2, y2 = _clip(dx, dy, sx - dx, sy - dy)
    return f"M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}"


def _label(state: str) -> str:
    return state.replace("_", " ")


def svg(current: str | None = None) -> str:
    """The lifecycle as an inline SVG; `current` (if any) highlighted."""
    lay = layout()
    width, height = lay.size
    nexts = {e.dest for e in lay.successors(current)} if current else set()
    desc = (
        f"Current state: {_label(current)}. "
        + (
            "It can go next to: " + ", ".join(_label(s) for s in sorted(nexts)) + "."
            if nexts
            else "It is finished."
        )
        if current
        else "Every state of a sharing proposal and the steps between them."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'class="lifecycle" role="img" aria-labelledby="lifecycle-title lifecycle-desc">',
        '<title id="lifecycle-title">The lifecycle of a sharing proposal</title>',
        f'<desc id="lifecycle-desc">{escape(desc)}</desc>',
        "<defs>",
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'class="arrowhead"/></marker>',
        '<marker id="arrow-next" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'class="arrowhead-next"/></marker>',
        "</defs>",
    ]
    for edge in lay.edges:
        outgoing = edge.source == current
        css = "edge next" if outgoing else "edge"
        marker = "arrow-next" if outgoing else "arrow"
        parts.append(
            f'<path class="{css}" d="{_path(lay, edge)}" marker-end="url(#{marker})" '
            f'data-from="{edge.source}" data-to="{edge.dest}">'
            f"<title>{escape(' / '.join(edge.triggers))}: {_label(edge.source)} \u2192 "
            f"{_label(edge.dest)}</title></path>"
        )
    for state in lay.states:
        x, y = lay.centre(state)
        classes = ["state"]
        if state in TERMINAL:
            classes.append("terminal")
        if state == current:
            classes.append("current")
        elif state in nexts:
            classes.append("next")
        parts.append(
            f'<g class="{" ".join(classes)}" data-state="{state}">'
            f'<rect x="{x - NODE_W / 2:.0f}" y="{y - NODE_H / 2:.0f}" width="{NODE_W}" '
            f'height="{NODE_H}" rx="{NODE_H / 2 if state in TERMINAL else 5}"/>'
            f'<text x="{x:.0f}" y="{y + 5:.0f}" text-anchor="middle">{_label(state)}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
