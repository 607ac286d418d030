"""A flow's DAG drawn in the terminal, and written as Graphviz DOT or Mermaid.

Pure functions on the ``fetchflowgraph`` document (nodes with their parents under ``in``,
embedded flows with their own ``nodes``) and an optional map of job statuses (``sub:job`` paths,
as an execution names them). The drawing is layered (a job sits one layer below its deepest
parent), ordered to keep edges short (a few barycentre sweeps), and drawn on a character canvas
whose line cells merge into box-drawing junctions; ``ascii=True`` draws the same with ``+-|``.
A flow wider than the terminal is listed layer by layer instead, each job with its parents,
which stays readable at 200 jobs where boxes would not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Line cells: which sides of the cell a line leaves from.
UP, DOWN, LEFT, RIGHT = 1, 2, 4, 8
_UNICODE = {
    UP | DOWN: "│", LEFT | RIGHT: "─", DOWN | RIGHT: "┌", DOWN | LEFT: "┐", UP | RIGHT: "└",
    UP | LEFT: "┘", UP | DOWN | RIGHT: "├", UP | DOWN | LEFT: "┤", DOWN | LEFT | RIGHT: "┬",
    UP | LEFT | RIGHT: "┴", UP | DOWN | LEFT | RIGHT: "┼", UP: "│", DOWN: "│", LEFT: "─",
    RIGHT: "─",
}
_BOX = {"tl": "┌", "tr": "┐", "bl": "└", "br": "┘", "h": "─", "v": "│", "arrow": "▼",
        "out": "┬", "in": "┴"}
_ASCII_BOX = {"tl": "+", "tr": "+", "bl": "+", "br": "+", "h": "-", "v": "|", "arrow": "v",
              "out": "+", "in": "+"}

# ANSI colours of job statuses (the live view's palette).
STATUS_COLORS = {
    "SUCCEEDED": "32", "FAILED": "31", "KILLED": "31", "EXECUTION_STOPPED": "31",
    "RUNNING": "33", "PAUSED": "36", "CANCELLED": "35", "SKIPPED": "90", "DISABLED": "90",
    "FAILED_SUCCEEDED": "33", "QUEUED": "37", "READY": "37", "PREPARING": "37",
}
GAP = 2  # columns between two boxes of a layer
BAND = 3  # lines between two layers for the edges


@dataclass
class Job:
    """One node of a flow: its parents, and an embedded flow's own nodes."""

    id: str
    type: str = ""
    parents: list[str] = field(default_factory=list)
    subflow: str = ""  # the embedded flow's id
    children: list[Job] = field(default_factory=list)


def jobs_of(document: dict[str, Any]) -> list[Job]:
    """The ``fetchflowgraph`` nodes (or an embedded flow's) as Jobs."""
    out: list[Job] = []
    for node in document.get("nodes") or []:
        if not isinstance(node, dict) or not isinstance(node.get("id"), str):
            continue
        parents = [str(p) for p in node.get("in") or [] if isinstance(p, str)]
        sub = str(node.get("flowId") or "") if (node.get("nodes") is not None
                                                or node.get("type") == "flow") else ""
        out.append(Job(node["id"], str(node.get("type") or ""), parents, sub,
                       jobs_of(node) if node.get("nodes") else []))
    return out


def statuses_of(document: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"sub:job": "SUCCEEDED"}`` from a ``fetchexecflow`` document (embedded flows too)."""
    found: dict[str, str] = {}
    for node in document.get("nodes") or []:
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            path = prefix + node["id"]
            found[path] = str(node.get("status") or "")
            if node.get("nodes"):
                found.update(statuses_of(node, path + ":"))
    return found


def layers(jobs: list[Job]) -> list[list[str]]:
    """Each job in the layer one below its deepest parent (parents outside the flow ignored)."""
    by_id = {job.id: job for job in jobs}
    depth: dict[str, int] = {}

    def level(name: str, seen: frozenset[str]) -> int:
        if name in depth:
            return depth[name]
        parents = [p for p in by_id[name].parents if p in by_id and p not in seen]
        depth[name] = 1 + max((level(p, seen | {name}) for p in parents), default=-1)
        return depth[name]

    for job in jobs:
        level(job.id, frozenset())
    rows: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for job in sorted(jobs, key=lambda j: j.id):
        rows[depth[job.id]].append(job.id)
    return rows


# -- the layered drawing ----------------------------------------------------------------------


@dataclass
class _Slot:
    name: str  # a job's id, or "" for an edge passing through the layer
    width: int
    x: int = 0
    edge: tuple[str, str] = ("", "")  # a pass-through: the long edge it carries

    @property
    def center(self) -> int:
        return self.x + self.width // 2


def _rows_with_dummies(jobs: list[Job], rows: list[list[str]],
                       widths: dict[str, int]) -> tuple[list[list[_Slot]], list[tuple[Any, Any]]]:
    """Slots per layer, a narrow pass-through slot wherever an edge skips a layer, and the
    edges between adjacent layers as (upper slot, lower slot) pairs."""
    depth = {name: i for i, row in enumerate(rows) for name in row}
    slots = [[_Slot(name, widths[name]) for name in row] for row in rows]
    by_name = {s.name: s for row in slots for s in row}
    edges: list[tuple[Any, Any]] = []
    for job in jobs:
        for parent in job.parents:
            if parent not in depth:
                continue
            upper = by_name[parent]
            for level in range(depth[parent] + 1, depth[job.id]):
                dummy = _Slot("", 1, edge=(parent, job.id))
                slots[level].append(dummy)
                edges.append((upper, dummy))
                upper = dummy
            edges.append((upper, by_name[job.id]))
    return slots, edges


def _order(slots: list[list[_Slot]], edges: list[tuple[Any, Any]]) -> None:
    """Barycentre sweeps, down then up, to bring each slot under (or over) its neighbours."""
    ups: dict[int, list[_Slot]] = {}
    downs: dict[int, list[_Slot]] = {}
    for upper, lower in edges:
        ups.setdefault(id(lower), []).append(upper)
        downs.setdefault(id(upper), []).append(lower)

    def sweep(row: list[_Slot], other: list[_Slot], links: dict[int, list[_Slot]]) -> None:
        where = {id(s): i for i, s in enumerate(other)}
        here = {id(s): i for i, s in enumerate(row)}

        def key(slot: _Slot) -> float:
            near = [where[id(n)] for n in links.get(id(slot), []) if id(n) in where]
            return sum(near) / len(near) if near else float(here[id(slot)])

        row.sort(key=key)

    for _ in range(2):
        for i in range(1, len(slots)):
            sweep(slots[i], slots[i - 1], ups)
        for i in range(len(slots) - 2, -1, -1):
            sweep(slots[i], slots[i + 1], downs)


def _place(slots: list[list[_Slot]], edges: list[tuple[Any, Any]]) -> None:
    """Left to right in each layer's order, each slot as far right as needed to sit under the
    mean of its parents, so that a chain of jobs is one straight line."""
    ups: dict[int, list[_Slot]] = {}
    for upper, lower in edges:
        ups.setdefault(id(lower), []).append(upper)
    for row in slots:
        x: int | None = None
        for slot in row:
            parents = ups.get(id(slot), [])
            wanted = (round(sum(p.center for p in parents) / len(parents)) - slot.width // 2
                      if parents else 0)
            slot.x = wanted if x is None else max(x, wanted)
            x = slot.x + slot.width + GAP
    left = min((s.x for row in slots for s in row), default=0)
    for row in slots:  # a wide child under a narrow parent may have gone left of 0
        for slot in row:
            slot.x -= left


class _Canvas:
    """Characters with an optional ANSI colour each; line cells merge into junctions."""

    def __init__(self, width: int, height: int, ascii: bool) -> None:
        self.chars = [[" "] * width for _ in range(height)]
        self.bits = [[0] * width for _ in range(height)]
        self.styles: list[list[str]] = [[""] * width for _ in range(height)]
        self.ascii = ascii

    def text(self, x: int, y: int, text: str, style: str = "") -> None:
        for i, char in enumerate(text):
            self.chars[y][x + i] = char
            self.styles[y][x + i] = style

    def line(self, x: int, y: int, bits: int) -> None:
        self.bits[y][x] |= bits

    def lines(self, color: bool) -> Iterator[str]:
        for y, row in enumerate(self.chars):
            out: list[str] = []
            current = ""
            for x, written in enumerate(row):
                char = self._junction(self.bits[y][x]) if self.bits[y][x] else written
                style = self.styles[y][x] if color else ""
                if style != current:
                    out.append("\x1b[0m" if not style else f"\x1b[{style}m")
                    current = style
                out.append(char)
            if current:
                out.append("\x1b[0m")
            yield "".join(out).rstrip()

    def _junction(self, bits: int) -> str:
        if self.ascii:
            if bits in (UP | DOWN, UP, DOWN):
                return "|"
            return "-" if bits in (LEFT | RIGHT, LEFT, RIGHT) else "+"
        return _UNICODE[bits]


def _label(job: Job, status: str) -> list[str]:
    name = f"{job.id} ▸" if job.subflow else job.id
    return [name, status] if status else [name]


def draw(jobs: list[Job], statuses: dict[str, str] | None = None, *, prefix: str = "",
         width: int = 80, ascii: bool = False, color: bool = False) -> list[str]:
    """The layered drawing of ``jobs``, or the layer list when it is wider than ``width``."""
    statuses = statuses or {}
    if not jobs:
        return ["(no jobs)"]
    by_id = {job.id: job for job in jobs}
    rows = layers(jobs)
    labels = {j.id: _label(j, statuses.get(prefix + j.id, "")) for j in jobs}
    if ascii:
        labels = {k: [t.replace("▸", ">") for t in v] for k, v in labels.items()}
    widths = {name: max(len(t) for t in text) + 4 for name, text in labels.items()}
    slots, edges = _rows_with_dummies(jobs, rows, widths)
    _order(slots, edges)
    _place(slots, edges)
    total = max(row[-1].x + row[-1].width for row in slots if row)
    if total > width:
        return draw_list(jobs, statuses, prefix=prefix, ascii=ascii, color=color)
    box_height = 2 + max(len(t) for t in labels.values())
    height = len(slots) * box_height + (len(slots) - 1) * BAND
    canvas = _Canvas(total, height, ascii)
    glyph = _ASCII_BOX if ascii else _BOX
    for level, row in enumerate(slots):
        top = level * (box_height + BAND)
        for slot in row:
            if slot.name:
                job = by_id[slot.name]
                _draw_box(canvas, slot, top, box_height, labels[slot.name], glyph=glyph,
                          style=STATUS_COLORS.get(statuses.get(prefix + job.id, ""), ""))
            else:
                for y in range(top, top + box_height):
                    canvas.line(slot.x, y, UP | DOWN)
    for upper, lower in edges:
        level = next(i for i, row in enumerate(slots) if any(s is upper for s in row))
        _draw_edge(canvas, upper, lower, level * (box_height + BAND) + box_height, glyph)
    return list(canvas.lines(color))


def _draw_box(canvas: _Canvas, slot: _Slot, top: int, height: int, text: list[str], *,
              glyph: dict[str, str], style: str) -> None:
    inner = slot.width - 2
    canvas.text(slot.x, top, glyph["tl"] + glyph["h"] * inner + glyph["tr"])
    for i in range(1, height - 1):
        words = text[i - 1] if i - 1 < len(text) else ""
        canvas.text(slot.x, top + i, glyph["v"])
        canvas.text(slot.x + 1, top + i, f" {words}".ljust(inner), style)
        canvas.text(slot.x + slot.width - 1, top + i, glyph["v"])
    canvas.text(slot.x, top + height - 1, glyph["bl"] + glyph["h"] * inner + glyph["br"])


def _draw_edge(canvas: _Canvas, upper: _Slot, lower: _Slot, band_top: int,
               glyph: dict[str, str]) -> None:
    """Down from the upper slot, across the band's middle line, down into the lower one."""
    px, cx = upper.center, lower.center
    if upper.name:
        canvas.text(px, band_top - 1, glyph["out"])
    canvas.line(px, band_top, UP | DOWN)
    middle = band_top + 1
    if px == cx:
        canvas.line(px, middle, UP | DOWN)
    else:
        canvas.line(px, middle, UP | (RIGHT if cx > px else LEFT))
        canvas.line(cx, middle, DOWN | (LEFT if cx > px else RIGHT))
        for x in range(min(px, cx) + 1, max(px, cx)):
            canvas.line(x, middle, LEFT | RIGHT)
    if lower.name:
        canvas.text(cx, band_top + 2, glyph["arrow"])
    else:
        canvas.line(cx, band_top + 2, UP | DOWN)


def draw_list(jobs: list[Job], statuses: dict[str, str] | None = None, *, prefix: str = "",
              ascii: bool = False, color: bool = False) -> list[str]:
    """Layer by layer, one job a line with its status and its parents: any width, any size."""
    statuses = statuses or {}
    by_id = {job.id: job for job in jobs}
    arrow = "<-" if ascii else "◀"
    mark = " >" if ascii else " ▸"
    name_width = min(40, max((len(j.id) + 2 for j in jobs), default=0))
    out: list[str] = []
    for level, row in enumerate(layers(jobs), 1):
        out.append(f"layer {level}")
        for name in row:
            job = by_id[name]
            status = statuses.get(prefix + name, "")
            text = (name + (mark if job.subflow else "")).ljust(name_width)
            if status:
                shown = status.ljust(10)
                code = STATUS_COLORS.get(status, "")
                text += f" \x1b[{code}m{shown}\x1b[0m" if color and code else f" {shown}"
            parents = [p for p in job.parents if p in by_id]
            if parents:
                text += f" {arrow} {', '.join(parents)}"
            out.append(f"  {text}".rstrip())
    return out


def render(jobs: list[Job], statuses: dict[str, str] | None = None, *, title: str = "",
           expand: bool = False, width: int = 80, ascii: bool = False,
           color: bool = False) -> str:
    """The whole picture: the flow, then (with ``expand``) each embedded flow under its path;
    collapsed, an embedded flow is one box marked ▸ and a line says how to open it."""
    out = [title] if title else []
    out += draw(jobs, statuses, width=width, ascii=ascii, color=color)
    subflows = list(_embedded(jobs, ""))
    if subflows and not expand:
        out.append(f"(embedded flows collapsed: {', '.join(p for p, _ in subflows)}; "
                   "--expand draws them)")
    if expand:
        for path, job in subflows:
            out += ["", f"embedded flow {path} ({job.subflow})"]
            out += draw(job.children, statuses, prefix=path + ":", width=width, ascii=ascii,
                        color=color)
    return "\n".join(out)


def _embedded(jobs: list[Job], prefix: str) -> Iterator[tuple[str, Job]]:
    for job in jobs:
        if job.subflow:
            yield prefix + job.id, job
            yield from _embedded(job.children, prefix + job.id + ":")


# -- other tools' formats ---------------------------------------------------------------------

_DOT_COLORS = {"SUCCEEDED": "green", "FAILED": "red", "KILLED": "red",
               "EXECUTION_STOPPED": "red", "RUNNING": "orange", "PAUSED": "cyan",
               "CANCELLED": "magenta", "SKIPPED": "gray", "DISABLED": "gray"}


def _quote(text: str) -> str:
    """A DOT string; a newline in it becomes DOT's line break."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(jobs: list[Job], statuses: dict[str, str] | None = None, name: str = "flow") -> str:
    """Graphviz: ``dot -Tsvg``; embedded flows are clusters, nodes named by their paths."""
    statuses = statuses or {}
    out = [f"digraph {_quote(name)} {{", "  rankdir=TB;", "  node [shape=box];"]
    out += _dot_body(jobs, statuses, "", "  ")
    out.append("}")
    return "\n".join(out) + "\n"


def _dot_body(jobs: list[Job], statuses: dict[str, str], prefix: str, pad: str) -> list[str]:
    out: list[str] = []
    names = {job.id for job in jobs}
    for job in jobs:
        path = prefix + job.id
        if job.subflow:
            out.append(f"{pad}subgraph {_quote('cluster_' + path)} {{")
            out.append(f"{pad}  label={_quote(path)};")
            out += _dot_body(job.children, statuses, path + ":", pad + "  ")
            out.append(f"{pad}}}")
        status = statuses.get(path, "")
        label = f"{job.id}\n{status}" if status else job.id
        attrs = [f"label={_quote(label)}"]
        if status in _DOT_COLORS:
            attrs.append(f"color={_DOT_COLORS[status]}")
        if job.subflow:
            attrs.append("style=dashed")
        out.append(f"{pad}{_quote(path)} [{', '.join(attrs)}];")
        out += [f"{pad}{_quote(prefix + p)} -> {_quote(path)};" for p in job.parents
                if p in names]
    return out


def _mermaid_id(path: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", lambda m: f"_{ord(m.group()):x}_", path)


def to_mermaid(jobs: list[Job], statuses: dict[str, str] | None = None) -> str:
    """Mermaid ``flowchart TD`` (GitHub and GitLab draw it in Markdown); embedded flows are
    subgraphs; statuses are classes."""
    statuses = statuses or {}
    out = ["flowchart TD"]
    out += _mermaid_body(jobs, statuses, "", "  ")
    used = sorted({s for s in statuses.values() if s in _DOT_COLORS})
    for status in used:
        out.append(f"  classDef {status.lower()} stroke:{_DOT_COLORS[status]},stroke-width:2px;")
    return "\n".join(out) + "\n"


def _mermaid_body(jobs: list[Job], statuses: dict[str, str], prefix: str,
                  pad: str) -> list[str]:
    out: list[str] = []
    names = {job.id for job in jobs}
    for job in jobs:
        path = prefix + job.id
        status = statuses.get(path, "")
        text = (f"{job.id}<br/>{status}" if status else job.id).replace('"', "#quot;")
        if job.subflow:
            out.append(f'{pad}subgraph {_mermaid_id(path + ":")}["{path}"]')
            out += _mermaid_body(job.children, statuses, path + ":", pad + "  ")
            out.append(f"{pad}end")
        node = f'{pad}{_mermaid_id(path)}["{text}"]'
        if status in _DOT_COLORS:
            node += f":::{status.lower()}"
        out.append(node)
        out += [f"{pad}{_mermaid_id(prefix + p)} --> {_mermaid_id(path)}" for p in job.parents
                if p in names]
    return out
