"""Pictures of a structure drawn from its data: pure layout, no database.

Two pictures, laid out here as plain dataclasses with coordinates in SVG user units and
drawn by the templates under ``templates/governance/diagrams/``:

- ``structure_diagram``: the bodies as boxes in rows (levels), with the reporting lines
  between them: ``parent`` (solid), ``prepares_for`` where it is not the parent
  (dashed, with an arrow) and ``joint_of`` (dotted). A wide layout puts each level on a
  row, as the seeds' "schematisk bild" does; a narrow one (phones) puts every body on
  its own row, indented under the body it reports to. A large set of local groups under
  one body is drawn as one box ("21 local groups") that links to the grid.
- ``local_group_grid``: the local groups as a principal × area grid.

The input is ``DiagramBody`` values (``governance.selectors.structure_diagram_bodies``
builds them from the database); nothing here queries anything, so the layout is tested
without the ORM (tests/governance/test_diagrams.py).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import ngettext

# --- input --------------------------------------------------------------------------------

LOCAL_GROUP = "local_group"


@dataclass(frozen=True)
class DiagramBody:
    """One body as the pictures need it."""

    id: int
    name: str
    kind: str
    kind_label: str
    url: str
    parent_id: int | None = None
    prepares_for_id: int | None = None
    joint_of_ids: tuple[int, ...] = ()
    position: int = 0
    short_name: str = ""
    owner_id: int | None = None
    area_id: int | None = None


@dataclass(frozen=True)
class GridAxis:
    """A row (principal) or column (strategic area) of the local group grid."""

    id: int
    name: str


# --- output -------------------------------------------------------------------------------

@dataclass
class Box:
    """A box of the diagram: one body, or a cluster of local groups (``members``)."""

    key: str
    lines: list[str]
    caption: str
    url: str
    x: float
    y: float
    width: float
    height: float
    row: int
    kind: str
    body_id: int | None = None
    members: tuple[int, ...] = ()
    current: bool = False

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def body_ids(self) -> tuple[int, ...]:
        return self.members if self.members else ((self.body_id,) if self.body_id else ())


@dataclass
class TextLine:
    x: float
    y: float
    text: str


@dataclass
class Connector:
    """A reporting line as an SVG path, from ``source`` (the reporting body's box key) to
    ``target``; ``kind`` is ``parent``, ``prepares`` or ``joint``."""

    kind: str
    source: str
    target: str
    points: list[tuple[float, float]]

    @property
    def d(self) -> str:
        first, *rest = self.points
        return f"M{first[0]:g} {first[1]:g}" + "".join(f" L{x:g} {y:g}" for x, y in rest)


@dataclass
class Diagram:
    width: float
    height: float
    boxes: list[Box]
    connectors: list[Connector]
    font_size: float
    line_height: float
    text: dict[str, list[TextLine]] = field(default_factory=dict)
    caption_text: dict[str, TextLine] = field(default_factory=dict)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"

    def box_for(self, body_id: int) -> Box | None:
        return next((b for b in self.boxes if body_id in b.body_ids), None)

    def items(self) -> list[tuple[Box, list[TextLine], TextLine]]:
        """Each box with its text lines and caption, for the template."""
        return [(b, self.text[b.key], self.caption_text[b.key]) for b in self.boxes]


@dataclass(frozen=True)
class Style:
    """Sizes of one layout, in SVG user units."""

    width: float
    box_width: float
    min_box_width: float
    gap_x: float
    gap_y: float
    margin: float
    lane_step: float
    font_size: float
    caption_size: float
    padding: float
    indent: float = 0.0
    max_per_row: int = 5

    @property
    def line_height(self) -> float:
        return self.font_size * 1.25


WIDE = Style(width=1000, box_width=230, min_box_width=150, gap_x=20, gap_y=64, margin=8,
             lane_step=12, font_size=14, caption_size=12.5, padding=10, max_per_row=5)
NARROW = Style(width=360, box_width=360, min_box_width=200, gap_x=0, gap_y=22, margin=6,
               lane_step=10, font_size=15, caption_size=12.5, padding=8, indent=18,
               max_per_row=1)

# A parent's local groups become one box when there are more of them than this.
CLUSTER_MIN = 5
# Average glyph width as a share of the font size (system sans-serif, Swedish text).
GLYPH = 0.62


def wrap(text: str, max_chars: int) -> list[str]:
    """``text`` broken into lines of at most ``max_chars`` characters at spaces; a word
    longer than a line is cut with a hyphen."""
    max_chars = max(max_chars, 4)
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > max_chars:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: max_chars - 1] + "-")
            word = word[max_chars - 1:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= max_chars:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def _chars(width: float, style: Style) -> int:
    return int((width - 2 * style.padding) / (style.font_size * GLYPH))


# --- the tree -----------------------------------------------------------------------------

@dataclass
class _Unit:
    """A box before placement: a body or a cluster, with its tree position."""

    key: str
    name: str
    caption: str
    url: str
    kind: str
    depth: int
    body_id: int | None = None
    members: tuple[int, ...] = ()
    parent_key: str | None = None
    prepares_key: str | None = None
    joint_keys: tuple[str, ...] = ()
    order: tuple = ()
    children: list[_Unit] = field(default_factory=list)


def _key(body_id: int) -> str:
    return f"b{body_id}"


def _units(bodies: Sequence[DiagramBody], cluster_url: str) -> list[_Unit]:
    """The boxes to draw: every body, local groups of one parent folded into a cluster."""
    by_id = {b.id: b for b in bodies}
    locals_by_parent: dict[int | None, list[DiagramBody]] = {}
    for b in bodies:
        if b.kind == LOCAL_GROUP:
            locals_by_parent.setdefault(b.parent_id, []).append(b)
    folded: dict[int, str] = {}
    clusters: list[_Unit] = []
    for parent_id, group in locals_by_parent.items():
        if len(group) < CLUSTER_MIN:
            continue
        key = f"c{parent_id or 0}"
        group = sorted(group, key=lambda b: (b.position, b.name))
        owners = {b.owner_id for b in group}
        areas = {b.area_id for b in group}
        caption = ngettext("%(count)d group", "%(count)d groups", len(group)) % {
            "count": len(group)}
        if len(owners) > 1 and len(areas) > 1:
            caption = ngettext("%(count)d group: %(rows)d × %(cols)d",
                               "%(count)d groups: %(rows)d × %(cols)d", len(group)) % {
                "count": len(group), "rows": len(owners), "cols": len(areas)}
        clusters.append(_Unit(
            key=key, name=group[0].kind_label, caption=caption, url=cluster_url,
            kind=LOCAL_GROUP, depth=0, members=tuple(b.id for b in group),
            parent_key=_key(parent_id) if parent_id in by_id else None,
            order=(group[0].position, group[0].name)))
        for b in group:
            folded[b.id] = key
    units = [
        _Unit(key=_key(b.id), name=b.name, caption=b.kind_label, url=b.url, kind=b.kind,
              depth=0, body_id=b.id,
              parent_key=_key(b.parent_id) if b.parent_id in by_id else None,
              prepares_key=(folded.get(b.prepares_for_id) or _key(b.prepares_for_id))
              if b.prepares_for_id in by_id and b.prepares_for_id != b.parent_id else None,
              joint_keys=tuple(folded.get(j) or _key(j) for j in b.joint_of_ids if j in by_id),
              order=(b.position, b.name))
        for b in bodies if b.id not in folded
    ]
    units += clusters
    by_key = {u.key: u for u in units}
    # Depth: along the parent chain; a joint body without a parent sits on the row of the
    # deepest body it is a joint body of. Cycles (not allowed, but data is data) stop.
    memo: dict[str, int] = {}

    def depth(u: _Unit, seen: frozenset[str] = frozenset()) -> int:
        if u.key in memo:
            return memo[u.key]
        if u.key in seen:
            return 0
        seen = seen | {u.key}
        if u.parent_key in by_key:
            d = depth(by_key[u.parent_key], seen) + 1
        elif u.joint_keys:
            d = max(depth(by_key[k], seen) for k in u.joint_keys if k in by_key)
        else:
            d = 0
        memo[u.key] = d
        return d

    for u in units:
        u.depth = depth(u)
    for u in units:
        if u.parent_key in by_key:
            by_key[u.parent_key].children.append(u)
    for u in units:
        u.children.sort(key=lambda c: (c.kind == LOCAL_GROUP, c.order))
    return units


def _connectors_of(units: Iterable[_Unit]) -> list[tuple[str, str, str]]:
    """(kind, source key, target key) of every reporting line, in drawing order."""
    out = []
    for u in units:
        if u.parent_key:
            out.append(("parent", u.key, u.parent_key))
    for u in units:
        if u.prepares_key and u.prepares_key != u.key:
            out.append(("prepares", u.key, u.prepares_key))
        for k in u.joint_keys:
            out.append(("joint", u.key, k))
    return out


# --- the layouts --------------------------------------------------------------------------

def _make_box(u: _Unit, *, x: float, y: float, width: float, row: int, style: Style,
              current: int | None) -> Box:
    lines = wrap(u.name, _chars(width, style))
    height = 2 * style.padding + len(lines) * style.line_height + style.caption_size * 1.4
    return Box(key=u.key, lines=lines, caption=u.caption, url=u.url, x=x, y=y, width=width,
               height=height, row=row, kind=u.kind, body_id=u.body_id, members=u.members,
               current=current is not None and (current == u.body_id or current in u.members))


def _wide(units: list[_Unit], style: Style, current: int | None) -> tuple[list[Box], float]:
    """Levels as rows; within a row, children follow the order of their parents."""
    rows: dict[tuple[int, bool], list[_Unit]] = {}
    for u in units:
        rows.setdefault((u.depth, u.kind == LOCAL_GROUP), []).append(u)
    keys = sorted(rows)
    placed_order: dict[str, int] = {}
    ordered_rows: list[list[_Unit]] = []
    for key in keys:
        members = sorted(rows[key], key=lambda u: (
            placed_order.get(u.parent_key or "", placed_order.get(
                u.joint_keys[0] if u.joint_keys else "", -1)), u.order))
        # A row wider than the picture wraps onto several rows.
        for start in range(0, len(members), style.max_per_row):
            chunk = members[start:start + style.max_per_row]
            ordered_rows.append(chunk)
            for u in chunk:
                placed_order[u.key] = len(placed_order)
    widest = max((len(r) for r in ordered_rows), default=1)
    # Each side keeps room for three lanes of lines that go round the rows.
    usable = style.width - 2 * (style.margin + 3 * style.lane_step)
    box_width = min(style.box_width, (usable - (widest - 1) * style.gap_x) / widest)
    boxes: list[Box] = []
    y = style.margin
    for row_index, row in enumerate(ordered_rows):
        total = len(row) * box_width + (len(row) - 1) * style.gap_x
        x = (style.width - total) / 2
        row_boxes = []
        for u in row:
            row_boxes.append(_make_box(u, x=x, y=y, width=box_width, row=row_index,
                                       style=style, current=current))
            x += box_width + style.gap_x
        height = max(b.height for b in row_boxes)
        for b in row_boxes:
            b.height = height
        boxes += row_boxes
        y += height + style.gap_y
    return boxes, y - style.gap_y + style.margin


def _narrow(units: list[_Unit], style: Style, lanes: int, current: int | None
            ) -> tuple[list[Box], float]:
    """Every box on its own row, in tree order, indented under the body it reports to."""
    by_key = {u.key: u for u in units}
    roots = sorted((u for u in units if u.parent_key not in by_key),
                   key=lambda u: (u.depth, u.order))
    sequence: list[tuple[_Unit, int]] = []

    def walk(u: _Unit, level: int) -> None:
        sequence.append((u, level))
        for child in u.children:
            walk(child, level + 1)

    for root in roots:
        walk(root, 0)
    right = style.width - style.margin - lanes * style.lane_step
    boxes = []
    y = style.margin
    for row_index, (u, level) in enumerate(sequence):
        x = style.margin + level * style.indent
        box = _make_box(u, x=x, y=y, width=max(right - x, style.min_box_width), row=row_index,
                        style=style, current=current)
        boxes.append(box)
        y += box.height + style.gap_y
    return boxes, y - style.gap_y + style.margin


def _route_wide(kind: str, src: Box, dst: Box, lane_x: float, style: Style,
                rows_between: bool) -> list[tuple[float, float]]:
    gap = style.gap_y
    if kind == "parent" and not rows_between and dst.row == src.row - 1:
        mid = src.y - gap / 2
        return [(src.cx, src.y), (src.cx, mid), (dst.cx, mid), (dst.cx, dst.bottom)]
    if kind == "joint" and src.row == dst.row:
        a, b = sorted((src, dst), key=lambda box: box.x)
        if b.x - a.right <= style.gap_x + 1:
            y = a.y + a.height / 2
            points = [(a.right, y), (b.x, y)]
            return points if a is src else points[::-1]
        low = max(src.bottom, dst.bottom) + gap * 0.3
        return [(src.cx, src.bottom), (src.cx, low), (dst.cx, low), (dst.cx, dst.bottom)]
    if kind == "joint" and dst.row == src.row - 1 and not rows_between:
        mid = src.y - gap * 0.3
        tx = dst.x + dst.width * 0.75
        return [(src.cx, src.y), (src.cx, mid), (tx, mid), (tx, dst.bottom)]
    # Everything else goes round the side, in a lane of its own: parent lines on the left,
    # the others on the right; they leave and enter the boxes at their sides.
    sy = src.y + src.height / 2
    if kind == "parent":
        return [(src.x, sy), (lane_x, sy), (lane_x, dst.bottom + gap * 0.25),
                (dst.cx, dst.bottom + gap * 0.25), (dst.cx, dst.bottom)]
    exit_y = src.y - gap * 0.3
    sx = src.x + src.width * 0.8
    tx = dst.x + dst.width * 0.8
    entry_y = dst.bottom + gap * 0.3 if dst.y < src.y else dst.y - gap * 0.3
    end_y = dst.bottom if dst.y < src.y else dst.y
    if dst.y < src.y:
        return [(sx, src.y), (sx, exit_y), (lane_x, exit_y), (lane_x, entry_y), (tx, entry_y),
                (tx, end_y)]
    return [(sx, src.bottom), (sx, src.bottom + gap * 0.3), (lane_x, src.bottom + gap * 0.3),
            (lane_x, entry_y), (tx, entry_y), (tx, end_y)]


def _route_narrow(kind: str, src: Box, dst: Box, lane_x: float, style: Style
                  ) -> list[tuple[float, float]]:
    if kind == "parent":
        x = dst.x + style.indent * 0.5
        y = src.y + src.height / 2
        return [(src.x, y), (x, y), (x, dst.bottom)]
    sy, ty = src.y + src.height / 2, dst.y + dst.height / 2
    return [(src.right, sy), (lane_x, sy), (lane_x, ty), (dst.right, ty)]


def structure_diagram(bodies: Sequence[DiagramBody], *, narrow: bool = False,
                      current: int | None = None, cluster_url: str = "#lokal-samverkan"
                      ) -> Diagram:
    """The structure diagram of ``bodies`` (one structure), wide or narrow.

    ``current`` is the id of the body to highlight (a body page); when it is a local group
    folded into a cluster, the cluster is highlighted.
    """
    style = NARROW if narrow else WIDE
    units = _units(bodies, cluster_url)
    by_key = {u.key: u for u in units}
    edges = _connectors_of(units)
    if narrow:
        side = [e for e in edges if e[0] != "parent"]
        boxes, height = _narrow(units, style, len(side), current)
    else:
        boxes, height = _wide(units, style, current)
    box_of = {b.key: b for b in boxes}
    row_keys = {b.row: [] for b in boxes}
    for b in boxes:
        row_keys[b.row].append(b)
    connectors: list[Connector] = []
    left_lane = right_lane = 0
    for kind, source, target in edges:
        src, dst = box_of.get(source), box_of.get(target)
        if src is None or dst is None or source not in by_key:
            continue
        if narrow:
            lane_x = style.width - style.margin - (right_lane + 0.5) * style.lane_step
            if kind != "parent":
                right_lane += 1
            points = _route_narrow(kind, src, dst, lane_x, style)
        else:
            rows_between = abs(src.row - dst.row) > 1 or (
                kind == "parent" and dst.row >= src.row)
            if kind == "parent" and (rows_between or dst.row != src.row - 1):
                left_lane += 1
                lane_x = min(b.x for b in boxes) - left_lane * style.lane_step
                if lane_x < 2:
                    lane_x = 2 + left_lane
            else:
                right_lane += kind != "parent"
                lane_x = max(b.right for b in boxes) + right_lane * style.lane_step
            points = _route_wide(kind, src, dst, min(lane_x, style.width - 2), style,
                                 rows_between)
        connectors.append(Connector(kind=kind, source=source, target=target, points=points))
    diagram = Diagram(width=style.width, height=math.ceil(height), boxes=boxes,
                      connectors=connectors, font_size=style.font_size,
                      line_height=style.line_height)
    for b in boxes:
        top = b.y + style.padding + style.font_size
        diagram.text[b.key] = [TextLine(x=b.x + style.padding, y=top + i * style.line_height,
                                        text=line) for i, line in enumerate(b.lines)]
        diagram.caption_text[b.key] = TextLine(
            x=b.x + style.padding, y=b.bottom - style.padding, text=b.caption)
    return diagram


# --- the local group grid -----------------------------------------------------------------

@dataclass
class Cell:
    x: float
    y: float
    width: float
    height: float
    body: DiagramBody | None
    count: int | None
    current: bool = False

    @property
    def label(self) -> str:
        return "" if self.count is None else str(self.count)

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2

    @property
    def text_y(self) -> float:
        return self.y + self.height / 2 + GRID_FONT * 0.35


@dataclass
class Grid:
    width: float
    height: float
    rows: list[tuple[TextLine, list[Cell]]]
    columns: list[list[TextLine]]
    header_height: float
    font_size: float
    row_names: list[str] = field(default_factory=list)
    column_names: list[str] = field(default_factory=list)

    @property
    def table(self) -> list[tuple[str, list[Cell]]]:
        """Rows of the grid's text version: the principal's name and its cells."""
        return [(name, cells) for name, (_label, cells) in zip(self.row_names, self.rows,
                                                                strict=True)]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"

    @property
    def cells(self) -> list[Cell]:
        return [c for _label, cells in self.rows for c in cells]


GRID_WIDTH = 360
GRID_LABEL = 112
GRID_ROW = 34
GRID_GAP = 4
GRID_FONT = 13


def local_group_grid(bodies: Sequence[DiagramBody], principals: Sequence[GridAxis],
                     areas: Sequence[GridAxis], *, counts: dict[int, int] | None = None,
                     current: int | None = None) -> Grid | None:
    """The local groups of ``bodies`` as a principal × area grid, or None when the
    structure has no local groups by principal and area.

    ``principals`` and ``areas`` give the order; a principal or area without any group
    is left out. ``counts`` is the number shown in each group's cell (its members, by body
    id); a dashed empty cell means that municipality has no group for that area.
    """
    groups = {(b.owner_id, b.area_id): b for b in bodies
              if b.kind == LOCAL_GROUP and b.owner_id and b.area_id}
    if not groups:
        return None
    used_rows = [p for p in principals if any(k[0] == p.id for k in groups)]
    used_cols = [a for a in areas if any(k[1] == a.id for k in groups)]
    counts = counts or {}
    col_width = (GRID_WIDTH - GRID_LABEL - GRID_GAP * len(used_cols)) / max(len(used_cols), 1)
    chars = int((col_width - 8) / (GRID_FONT * GLYPH))
    header_lines = [wrap(a.name, chars) for a in used_cols]
    header_height = max(len(h) for h in header_lines) * GRID_FONT * 1.2 + 10
    columns = [[TextLine(x=GRID_LABEL + GRID_GAP + i * (col_width + GRID_GAP) + col_width / 2,
                         y=6 + GRID_FONT + j * GRID_FONT * 1.2, text=line)
                for j, line in enumerate(lines)] for i, lines in enumerate(header_lines)]
    rows = []
    y = header_height
    for p in used_rows:
        cells = []
        for i, a in enumerate(used_cols):
            body = groups.get((p.id, a.id))
            cells.append(Cell(x=GRID_LABEL + GRID_GAP + i * (col_width + GRID_GAP), y=y,
                              width=col_width, height=GRID_ROW - GRID_GAP, body=body,
                              count=counts.get(body.id, 0) if body else None,
                              current=body is not None and body.id == current))
        name = wrap(p.name, int((GRID_LABEL - 4) / (GRID_FONT * GLYPH)))[0]
        rows.append((TextLine(x=GRID_LABEL - 4, y=y + (GRID_ROW - GRID_GAP) / 2 + GRID_FONT * .35,
                              text=name), cells))
        y += GRID_ROW
    return Grid(width=GRID_WIDTH, height=math.ceil(y + 2), rows=rows, columns=columns,
                header_height=header_height, font_size=GRID_FONT,
                row_names=[p.name for p in used_rows], column_names=[a.name for a in used_cols])
