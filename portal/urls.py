"""The portal's URLs (namespace ``portal``): Mina sidor and the start page of each role.

``/start/`` sends a login to its role's start page; ``/samordning/`` is the
coordinator's "Min vecka", ``/sekreterare/`` the secretary's meetings. The public front
(``/``) has its own namespace, ``public`` (portal/public.py).
"""
from __future__ import annotations

from django.urls import include, path

from . import member, secretary, start, week

app_name = "portal"

urlpatterns = [
    path("mina-sidor/", include(member.urlpatterns)),
    path("start/", start.start, name="start"),
    path("samordning/", week.week, name="week"),
    path("samordning/ordforandeskap/", week.offices, name="offices"),
    path("sekreterare/", secretary.meetings_page, name="secretary"),
]
