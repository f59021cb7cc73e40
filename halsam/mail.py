"""What every e-mail the system builds shares.

``render_subject``: a subject template rendered as plain text. A subject is a header,
not HTML: with Django's autoescaping a meeting called `BUP & elevhälsa – "Trygg skola"`
arrived as ``BUP &amp; elevhälsa – &quot;Trygg skola&quot;`` (issue 12 §8). Line breaks
are removed too (a header must be one line; Django refuses a subject with a newline).
"""
from __future__ import annotations

from django.template import Context
from django.template.loader import get_template


def render_subject(template_name: str, context: dict) -> str:
    """Render ``template_name`` without autoescaping and as one line of single spaces."""
    template = get_template(template_name)
    # The Django backend's wrapper always autoescapes; its inner Template takes a Context
    # that says otherwise. Subject templates use no request or context processor.
    text = template.template.render(Context(context, autoescape=False))
    return " ".join(text.split())
