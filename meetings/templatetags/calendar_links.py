"""``{% absolute_url 'feeds:body' body.slug %}``: a URL with scheme and host, for the
addresses people paste into a calendar program (a relative link cannot be subscribed to)."""
from __future__ import annotations

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, name: str, *args) -> str:
    request = context.get("request")
    path = reverse(name, args=args)
    return request.build_absolute_uri(path) if request is not None else path
