"""The rules sections of the body and structure pages (governance.rule_index): which seed
rules apply there and how the portal applies each. Tags, so the views need no change."""
from __future__ import annotations

from django import template

from governance import rule_index
from governance.models import Body

register = template.Library()


def _walk(nodes):
    for node in nodes:
        yield node.body
        yield from _walk(node.children)


@register.inclusion_tag("governance/_structure_rules.html")
def structure_rules(overview) -> dict:
    """The structure's own rules and rule data, from the overview's loaded bodies."""
    return {"page": rule_index.structure_rule_page(overview.structure, _walk(overview.roots))}


@register.inclusion_tag("governance/_body_rules.html")
def body_rules(page) -> dict:
    """The rules of ``page.body`` (a ``selectors.BodyPage``); the body that sets its terms
    of reference is named from the page's related bodies where it is one of them."""
    body = page.body
    names = {b.slug: b.short_name or b.name
             for b in [body.parent, body.prepares_for, *page.joint_of] if b is not None}
    entry = rule_index.terms_of_reference(body)
    if entry and entry.get("set_by") and entry["set_by"] not in names:
        # One query, only for a body whose terms are set by a body not already loaded.
        names.update({b.slug: b.short_name or b.name for b in Body.objects.filter(
            structure_id=body.structure_id, slug=entry["set_by"]).only(
            "slug", "name", "short_name")})
    return {"page": rule_index.body_rule_page(body, names), "body": body}
