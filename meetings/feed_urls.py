from django.urls import path

app_name = "feeds"

# The calendar feeds: /kalender/organ/<slug>.ics and /kalender/<token>.ics.
urlpatterns: list = []
