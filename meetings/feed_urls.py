from django.urls import path

from . import feeds

app_name = "feeds"

# The calendar feeds: /kalender/organ/<slug>.ics and /kalender/<token>.ics.
urlpatterns = [
    path("kalender/organ/<slug:slug>.ics", feeds.body_feed, name="body"),
    path("kalender/<str:token>.ics", feeds.person_feed, name="person"),
]
