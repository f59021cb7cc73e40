"""The pictures of a structure (governance/diagrams.py): the layout without the ORM, then
the three presets drawn from their data, and the pages that show them."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from governance import diagrams
from governance.diagrams import DiagramBody, GridAxis
from governance.models import Body, BodyKind
from governance.presets import load_structure
from governance.selectors import diagram_bodies, structure_pictures

# --- the layout, pure ---------------------------------------------------------------------


def body(pk: int, kind: str = "working_group", parent: int | None = None, **kw) -> DiagramBody:
    return DiagramBody(id=pk, name=kw.pop("name", f"Organ {pk}"), kind=kind, kind_label=kind,
                       url=f"/organ/o{pk}/", parent_id=parent, **kw)


def overlaps(a: diagrams.Box, b: diagrams.Box) -> bool:
    return not (a.right <= b.x or b.right <= a.x or a.bottom <= b.y or b.bottom <= a.y)


def test_wrap_breaks_at_spaces_and_cuts_overlong_words():
    assert diagrams.wrap("Länsledning för HälSam", 12) == ["Länsledning", "för HälSam"]
    assert diagrams.wrap("Samverkansrådet", 8) == ["Samverk-", "ansrådet"]
    assert all(len(line) <= 10 for line in diagrams.wrap("a " * 30 + "Länssamverkansgruppen", 10))


def test_levels_are_rows_and_children_sit_below_their_parent():
    bodies = [body(1, "political"), body(2, parent=1), body(3, parent=1), body(4, parent=3)]
    d = diagrams.structure_diagram(bodies)
    rows = {b.body_id: b.row for b in d.boxes}
    assert rows == {1: 0, 2: 1, 3: 1, 4: 2}
    by_id = {b.body_id: b for b in d.boxes}
    assert by_id[4].y > by_id[3].bottom > by_id[1].bottom
    assert not any(overlaps(a, b) for a in d.boxes for b in d.boxes if a is not b)
    assert all(0 <= b.x and b.right <= d.width and b.bottom <= d.height for b in d.boxes)


def test_connectors_follow_parent_prepares_for_and_joint_of():
    bodies = [body(1, "political"), body(2, parent=1), body(3, parent=2, prepares_for_id=1),
              body(4, parent=2, prepares_for_id=2), body(5, "seminar", joint_of_ids=(1, 2))]
    for narrow in (False, True):
        d = diagrams.structure_diagram(bodies, narrow=narrow)
        edges = {(c.kind, c.source, c.target) for c in d.connectors}
        assert edges == {("parent", "b2", "b1"), ("parent", "b3", "b2"), ("parent", "b4", "b2"),
                         ("prepares", "b3", "b1"),  # 4 prepares for its parent: one line
                         ("joint", "b5", "b1"), ("joint", "b5", "b2")}
        boxes = {b.key: b for b in d.boxes}
        for c in d.connectors:
            assert len(c.points) >= 2 and c.d.startswith("M")
            assert all(0 <= x <= d.width and 0 <= y <= d.height for x, y in c.points)
            # each line ends on the edge of its target box
            x, y = c.points[-1]
            t = boxes[c.target]
            assert t.x - 0.01 <= x <= t.right + 0.01 and t.y - 0.01 <= y <= t.bottom + 0.01


def test_joint_body_without_parent_sits_beside_the_deepest_body_it_joins():
    bodies = [body(1, "political"), body(2, parent=1), body(3, "seminar", joint_of_ids=(1, 2))]
    d = diagrams.structure_diagram(bodies)
    assert d.box_for(3).row == d.box_for(2).row == 1


def test_many_local_groups_fold_into_one_box_and_the_current_one_highlights_it():
    local = [body(10 + i, diagrams.LOCAL_GROUP, parent=1, owner_id=100 + i % 7,
                  area_id=200 + i // 7) for i in range(21)]
    bodies = [body(1, "officials_board"), body(2, "county_group", parent=1), *local]
    with translation.override("en"):
        d = diagrams.structure_diagram(bodies, current=15, cluster_url="#grid")
    cluster = next(b for b in d.boxes if b.members)
    assert set(cluster.members) == {b.id for b in local}
    assert cluster.url == "#grid" and cluster.current
    assert cluster.caption == "21 groups: 7 × 3"
    assert cluster.row > d.box_for(2).row  # local groups below the county groups
    assert ("parent", cluster.key, "b1") in {(c.kind, c.source, c.target) for c in d.connectors}
    assert sum(b.current for b in d.boxes) == 1


def test_a_few_local_groups_are_drawn_one_by_one():
    bodies = [body(1), *[body(2 + i, diagrams.LOCAL_GROUP, parent=1, owner_id=9, area_id=i)
                         for i in range(diagrams.CLUSTER_MIN - 1)]]
    d = diagrams.structure_diagram(bodies)
    assert not any(b.members for b in d.boxes) and len(d.boxes) == len(bodies)


def test_narrow_layout_puts_each_body_on_its_own_row_inside_a_phone_width():
    bodies = [body(1, "political"), body(2, parent=1), body(3, parent=2), body(4, parent=1)]
    d = diagrams.structure_diagram(bodies, narrow=True)
    assert d.width <= 360
    assert [b.body_id for b in sorted(d.boxes, key=lambda b: b.y)] == [1, 2, 3, 4]  # tree order
    assert d.box_for(3).x > d.box_for(2).x > d.box_for(1).x
    assert all(b.width >= diagrams.NARROW.min_box_width for b in d.boxes)
    assert not any(overlaps(a, b) for a in d.boxes for b in d.boxes if a is not b)


def test_wide_rows_wrap_and_text_fits_its_box():
    bodies = [body(1, "political", name="Samråd för vård och omsorg"),
              *[body(2 + i, parent=1, name="Länssamverkansgruppens arbetsutskott " * 2)
                for i in range(8)]]
    d = diagrams.structure_diagram(bodies)
    assert max(sum(1 for b in d.boxes if b.row == r) for r in {b.row for b in d.boxes}) <= 5
    for b in d.boxes:
        limit = (b.width - 2 * diagrams.WIDE.padding) / (diagrams.WIDE.font_size * diagrams.GLYPH)
        assert all(len(line) <= limit for line in b.lines)
        assert d.text[b.key][-1].y < d.caption_text[b.key].y <= b.bottom


def test_grid_rows_are_principals_and_columns_areas_with_gaps_marked():
    bodies = [body(1), body(2, diagrams.LOCAL_GROUP, parent=1, owner_id=7, area_id=1),
              body(3, diagrams.LOCAL_GROUP, parent=1, owner_id=8, area_id=2)]
    grid = diagrams.local_group_grid(
        bodies, [GridAxis(8, "Ånge"), GridAxis(7, "Timrå"), GridAxis(9, "Utan grupp")],
        [GridAxis(1, "Barn och unga"), GridAxis(2, "Vuxna")], counts={2: 4}, current=3)
    assert grid.row_names == ["Ånge", "Timrå"] and grid.column_names == ["Barn och unga", "Vuxna"]
    (_, ange), (_, timra) = grid.rows
    assert [c.body.id if c.body else None for c in ange] == [None, 3]
    assert [c.body.id if c.body else None for c in timra] == [2, None]
    assert timra[0].label == "4" and ange[1].label == "0" and ange[0].label == ""
    assert ange[1].current and not timra[0].current
    assert all(c.x + c.width <= grid.width and c.y + c.height <= grid.height for c in grid.cells)


def test_no_grid_without_local_groups():
    assert diagrams.local_group_grid([body(1)], [], []) is None


# --- the three presets --------------------------------------------------------------------

PRESETS = ("halsam-vasternorrland", "jamtland-harjedalen", "vasterbotten")


@pytest.mark.django_db
@pytest.mark.parametrize("slug", PRESETS)
def test_every_body_of_a_preset_is_in_its_diagram_with_its_reporting_lines(slug):
    load_structure(slug)
    bodies = list(Body.objects.filter(structure__slug=slug).select_related("structure")
                  .prefetch_related("joint_of"))
    pictures = structure_pictures(bodies[0].structure, on=timezone.localdate())
    for d in (pictures.wide, pictures.narrow):
        drawn = [pk for box in d.boxes for pk in box.body_ids]
        assert sorted(drawn) == sorted(b.pk for b in bodies)
        edges = {(c.kind, c.source, c.target) for c in d.connectors}
        key = {b.pk: d.box_for(b.pk).key for b in bodies}
        expected = set()
        for b in bodies:
            if b.parent_id:
                expected.add(("parent", key[b.pk], key[b.parent_id]))
            if b.prepares_for_id and b.prepares_for_id != b.parent_id:
                expected.add(("prepares", key[b.pk], key[b.prepares_for_id]))
            for j in b.joint_of.all():
                expected.add(("joint", key[b.pk], key[j.pk]))
        assert edges == expected
    local = [b for b in bodies if b.kind == BodyKind.LOCAL_GROUP]
    if slug == "halsam-vasternorrland":
        assert len(local) == 21
        assert len(pictures.grid.rows) == 7 and len(pictures.grid.column_names) == 3
        assert {c.body.id for c in pictures.grid.cells} == {b.pk for b in local}
    else:
        assert pictures.grid is None


@pytest.mark.django_db
def test_halsam_diagram_has_the_seeds_levels():
    load_structure("halsam-vasternorrland")
    d = structure_pictures(Body.objects.get(slug="halsam").structure, on=timezone.localdate()).wide
    row = {b.key: b.row for b in d.boxes}
    ids = {b.slug: b.pk for b in Body.objects.all()}

    def row_of(slug):
        return row[d.box_for(ids[slug]).key]

    assert row_of("halsam") == 0
    assert row_of("halsam-presidium") == row_of("presidium") == 1
    assert row_of("lansledning") == 2
    assert row_of("lansamordning-barn-och-unga") == row_of("lansamordning-aldre") == 3
    assert row_of("lokal-sundsvall-vuxna") == 4


@pytest.mark.django_db
@pytest.mark.parametrize("slug", PRESETS)
def test_structure_page_draws_every_body_as_a_link(client, slug):
    load_structure(slug)
    html = client.get(reverse("governance:structure", kwargs={"slug": slug})).content.decode()
    svgs = re.findall(r"<svg class=\"(?:diagram|grid)-svg.*?</svg>", html, re.S)
    assert len(svgs) == (3 if slug == "halsam-vasternorrland" else 2)
    for svg in svgs:
        assert 'role="group"' in svg and "<title" in svg and "<desc" in svg
        assert "aria-describedby" in svg
        assert "viewBox" in svg and " width=" not in svg.split(">", 1)[0]
    drawn = "".join(svgs)
    for body_ in Body.objects.filter(structure__slug=slug):
        if body_.kind != BodyKind.LOCAL_GROUP:
            assert f'href="{body_.get_absolute_url()}"' in drawn
        else:  # in the grid
            assert f'href="{body_.get_absolute_url()}"' in svgs[-1]
    assert 'id="organ-lista"' in html  # the text version the figure links to


@pytest.mark.django_db
def test_body_page_highlights_the_body_and_a_local_group_page_shows_the_grid(client):
    load_structure("halsam-vasternorrland")
    html = client.get("/organ/lansledning/").content.decode()
    assert html.count('aria-current="page"') >= 2  # the box in both layouts
    assert re.search(r'<a class="node node-officials_board is-current" href="/organ/lansledning/"',
                     html)
    assert 'id="lokal-samverkan"' not in html
    assert 'href="/struktur/halsam-vasternorrland/#lokal-samverkan"' in html
    html = client.get("/organ/lokal-timra-aldre/").content.decode()
    assert 'id="lokal-samverkan"' in html
    assert re.search(r'<a class="cell is-current" href="/organ/lokal-timra-aldre/"', html)


def test_diagram_bodies_is_two_queries(django_assert_num_queries, db):
    load_structure("jamtland-harjedalen")
    structure_id = Body.objects.get(slug="pahsu").structure_id
    with django_assert_num_queries(2):
        assert len(diagram_bodies(structure_id)) == 4
