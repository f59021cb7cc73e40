"""The portal's one form template set and its messages (docs/design-system.md).

Real forms of the project are rendered with errors through ``FORM_RENDERER``
(halsam.form_renderer): every ``aria-describedby`` names ids that exist, invalid fields
say so, the error summary links to each invalid field and appears only when there are
errors, checkbox groups are fieldsets with a legend. Messages are rendered once, by
base.html, with the role their level calls for.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.shortcuts import render
from django.test import RequestFactory
from django.utils import translation

from documents.forms import DocumentForm
from halsam.form_renderer import DesignBoundField, HalsamFormRenderer
from meetings.forms import MeetingForm, MinutesForm
from tests.governance.factories import (
    BodyFactory,
    PersonFactory,
    PrincipalFactory,
    StrategicAreaFactory,
    StructureFactory,
)

ROOT = Path(__file__).resolve().parent.parent
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


# --- A small HTML tree, enough to ask where an element sits --------------------------------
@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def iter(self):
        for child in self.children:
            yield child
            yield from child.iter()

    def all_text(self) -> str:
        return self.text + "".join(c.all_text() for c in self.children)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.text += data


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    return builder.root


def by_id(tree: Node) -> dict[str, Node]:
    ids: dict[str, Node] = {}
    for node in tree.iter():
        if "id" in node.attrs:
            assert node.attrs["id"] not in ids, f"duplicate id {node.attrs['id']}"
            ids[node.attrs["id"]] = node
    return ids


def summaries(tree: Node) -> list[Node]:
    return [n for n in tree.iter() if "ds-error-summary" in n.classes()]


def assert_describedby_ids_exist(tree: Node) -> int:
    ids = by_id(tree)
    checked = 0
    for node in tree.iter():
        for ref in node.attrs.get("aria-describedby", "").split():
            assert ref in ids, f"aria-describedby of <{node.tag}> names missing id {ref!r}"
            checked += 1
    return checked


# --- Fixtures ------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def document_form_world(db):
    structure = StructureFactory()
    body = BodyFactory(structure=structure, name="Länsledning för HälSam")
    areas = [StrategicAreaFactory(structure=structure, name=n) for n in ("Barn och unga", "Äldre")]
    principals = [PrincipalFactory(name=n) for n in ("Sundsvalls kommun", "Timrå kommun")]
    return body, areas, principals


def invalid_document_form(body) -> DocumentForm:
    # No title, an area that does not exist, a principal that is not a number.
    form = DocumentForm(data={"kind": "agreement", "owner_body": str(body.pk),
                              "areas": ["999999"], "principals": ["x"],
                              "termination_notice_months": "many"})
    assert not form.is_valid()
    return form


# --- The renderer ----------------------------------------------------------------------------
def test_the_portal_renders_forms_with_its_own_templates():
    assert settings.FORM_RENDERER == "halsam.form_renderer.HalsamFormRenderer"
    renderer = HalsamFormRenderer()
    assert renderer.form_template_name == "forms/form.html"
    assert renderer.field_template_name == "forms/field.html"
    assert renderer.bound_field_class is DesignBoundField


def test_every_aria_describedby_names_an_existing_id(document_form_world):
    body, _, _ = document_form_world
    form = invalid_document_form(body)
    tree = parse(str(form))
    assert assert_describedby_ids_exist(tree) >= len(form.errors)
    ids = by_id(tree)
    for name in form.errors:
        error = ids.get(f"{form[name].auto_id}_error")
        assert error is not None, f"no error element for {name}"
        assert form.errors[name][0] in error.all_text()


def test_invalid_fields_are_marked_and_described_by_their_error(document_form_world):
    body, _, _ = document_form_world
    form = invalid_document_form(body)
    ids = by_id(parse(str(form)))
    title = ids["id_title"]
    assert title.attrs.get("aria-invalid") == "true"
    assert "id_title_error" in title.attrs["aria-describedby"].split()
    assert "ds-input" in title.classes()
    valid = ids["id_summary"]
    assert "aria-invalid" not in valid.attrs
    assert "id_summary_error" not in valid.attrs.get("aria-describedby", "")


def test_the_error_summary_links_to_each_invalid_field(document_form_world):
    body, _, _ = document_form_world
    form = invalid_document_form(body)
    tree = parse(str(form))
    [summary] = summaries(tree)
    assert summary.attrs.get("tabindex") == "-1"
    assert "autofocus" in summary.attrs
    heading = by_id(tree)[summary.attrs["aria-labelledby"]]
    assert heading.tag == "h2"
    targets = [a.attrs["href"] for a in summary.iter() if a.tag == "a"]
    assert len(targets) == sum(len(e) for e in form.errors.values())
    ids = by_id(tree)
    linked = set()
    for href in targets:
        assert href.startswith("#")
        target = ids[href[1:]]
        assert target.tag in {"input", "select", "textarea"}, href
        linked.add(target.attrs["name"])
    assert linked == set(form.errors)
    # A checkbox group's link goes to its first box.
    assert "#id_areas_0" in targets


def test_the_summary_lists_errors_of_the_whole_form_too(client, db):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert response.status_code == 200
    tree = parse(response.content.decode())
    [summary] = summaries(tree)
    form = response.context["form"]
    [non_field] = form.non_field_errors()
    items = [li for li in summary.iter() if li.tag == "li"]
    assert any(non_field in li.all_text() and not any(c.tag == "a" for c in li.iter())
               for li in items)
    assert_describedby_ids_exist(tree)


def test_no_summary_without_errors(document_form_world):
    body, _, _ = document_form_world
    assert summaries(parse(str(DocumentForm()))) == []
    form = DocumentForm(data={"title": "Överenskommelse", "kind": "agreement",
                              "owner_body": str(body.pk), "is_public": "on"})
    assert form.is_valid(), form.errors
    assert summaries(parse(str(form))) == []


def test_checkbox_groups_are_fieldsets_with_a_legend(document_form_world):
    body, areas, principals = document_form_world
    form = DocumentForm(data={"kind": "agreement", "owner_body": str(body.pk),
                              "areas": [str(areas[0].pk)]})
    form.is_valid()
    tree = parse(str(form))
    boxes = [n for n in tree.iter() if n.tag == "input" and n.attrs.get("type") == "checkbox"
             and n.attrs.get("name") in {"areas", "principals"}]
    assert len(boxes) == len(areas) + len(principals)
    ids = by_id(tree)
    for box in boxes:
        fieldset = next(a for a in box.ancestors() if a.tag == "fieldset")
        legend = next(c for c in fieldset.children if c.tag == "legend")
        assert legend.all_text().strip() == str(form[box.attrs["name"]].label)
        label = next(n for n in tree.iter() if n.tag == "label"
                     and n.attrs.get("for") == box.attrs["id"])
        assert label.all_text().strip()
        assert box.attrs["id"] in ids
    checked = [b for b in boxes if "checked" in b.attrs]
    assert [b.attrs["value"] for b in checked] == [str(areas[0].pk)]


def test_a_checkbox_group_with_errors_points_its_fieldset_at_the_error(db):
    people = [PersonFactory(first_name=f, last_name=s)
              for f, s in (("Erik", "Karlsson"), ("Maria", "Nilsson"))]
    form = MinutesForm(data={"checkers": ["0"]}, items=[], people=people,
                       checkers_editable=True)
    assert not form.is_valid()
    tree = parse(form["checkers"].as_field_group())
    fieldset = next(n for n in tree.iter() if n.tag == "fieldset")
    assert "id_checkers_error" in fieldset.attrs["aria-describedby"].split()
    assert_describedby_ids_exist(tree)
    boxes = [n for n in tree.iter() if n.tag == "input"]
    assert boxes and all(b.attrs.get("aria-invalid") == "true" for b in boxes)


def test_hints_are_tied_to_their_field(db):
    form = MeetingForm(data={"day": "2026-12-01", "start_time": "10:00", "end_time": "09:00",
                             "kind": "ordinary"}, body=BodyFactory())
    assert not form.is_valid()
    assert "end_time" in form.errors
    tree = parse(str(form))
    ids = by_id(tree)
    assert_describedby_ids_exist(tree)
    helped = [name for name in form.fields if form[name].help_text]
    assert helped, "the meeting form has hints"
    for name in helped:
        widget = ids[form[name].id_for_label]
        assert f"{form[name].auto_id}_helptext" in widget.attrs["aria-describedby"].split()
    end = ids["id_end_time"]
    assert end.attrs["aria-describedby"].split()[-1] == "id_end_time_error"


def test_a_single_checkbox_has_its_label_after_the_box(document_form_world):
    body, _, _ = document_form_world
    tree = parse(str(DocumentForm()))
    box = by_id(tree)["id_is_public"]
    group = box.parent
    assert "ds-field" in group.classes()
    tags = [c.tag for c in group.children]
    assert tags.index("input") < tags.index("label")


# --- Messages ------------------------------------------------------------------------------
def _request_with_messages(rf: RequestFactory):
    request = rf.get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return request


@pytest.mark.parametrize(("level", "role", "color"), [
    (messages.SUCCESS, "status", "success"),
    (messages.INFO, "status", "info"),
    (messages.WARNING, "alert", "warning"),
    (messages.ERROR, "alert", "danger"),
])
def test_messages_render_once_with_the_role_of_their_level(db, rf, level, role, color):
    request = _request_with_messages(rf)
    text = "Kallelsen är skickad till sju ledamöter."
    messages.add_message(request, level, text)
    html = render(request, "registration/logged_out.html").content.decode()
    assert html.count(text) == 1
    tree = parse(html)
    [alert] = [n for n in tree.iter() if text in n.text]
    assert "ds-alert" in alert.classes()
    assert alert.attrs["role"] == role
    assert alert.attrs["data-color"] == color
    assert any(a.tag == "main" for a in alert.ancestors())


def test_no_template_but_base_renders_the_messages():
    offenders = []
    pattern = re.compile(r"{%\s*for\s+\w+\s+in\s+messages\s*%}|_messages\.html")
    for path in (ROOT / "templates").rglob("*.html"):
        if path.name != "base.html" and pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_every_page_has_a_meta_description_and_the_statement_link(client, db):
    tree = parse(client.get("/accounts/login/").content.decode())
    [meta] = [n for n in tree.iter() if n.tag == "meta" and n.attrs.get("name") == "description"]
    assert len(meta.attrs["content"]) > 40
    footer = next(n for n in tree.iter() if n.tag == "footer")
    assert any(a.tag == "a" and a.attrs.get("href") == "/tillganglighet/" for a in footer.iter())
    icons = {n.attrs["href"] for n in tree.iter()
             if n.tag == "link" and n.attrs.get("rel") == "icon"}
    assert any(h.endswith("favicon.svg") for h in icons)
    assert any(h.endswith("favicon.ico") for h in icons)
    for name in ("favicon.svg", "favicon.ico", "img/apple-touch-icon.png"):
        assert (ROOT / "static" / name).stat().st_size > 0


def test_the_menu_button_controls_the_menu(client, db):
    tree = parse(client.get("/accounts/login/").content.decode())
    ids = by_id(tree)
    [button] = [n for n in tree.iter() if "data-menu-toggle" in n.attrs]
    assert button.tag == "button" and button.attrs["type"] == "button"
    menu = ids[button.attrs["aria-controls"]]
    assert menu.tag == "nav"
    # Without JavaScript the menu is shown: nothing in the page hides it.
    assert "hidden" not in menu.attrs and "data-collapsed" not in menu.attrs
    assert button.attrs["aria-expanded"] == "true"
