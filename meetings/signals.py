"""Signals other apps listen to (dependencies point down: documents → meetings).

``minutes_published`` is sent inside the transaction that publishes a meeting's minutes,
with ``minutes`` (a :class:`meetings.models.Minutes`) and ``actor`` (the user or None).
A receiver that raises rolls the publishing back: the minutes and whatever a receiver
writes (the document register's "protokoll" entry) are published together or not at all.
"""
from django.dispatch import Signal

minutes_published = Signal()
